#include "model/polling.hpp"

namespace jobsync {

polling_decision decide_polling(polling_mode mode,
                                const std::string& webhook_url) {
  switch (mode) {
  case polling_mode::on:
    return {true, "enabled in the configuration"};
  case polling_mode::off:
    return {false, "disabled in the configuration"};
  case polling_mode::automatic:
    break;
  }
  if (!webhook_url.empty())
    return {false, "auto: webhooks are configured (" + webhook_url + ")"};
  return {true, "auto: no webhook_url is configured"};
}

} // namespace jobsync
