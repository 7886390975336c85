#include "providers/replicate/client.hpp"

#include "logging/log.hpp"
#include "model/json.hpp"
#include "providers/replicate/prediction.hpp"
#include "providers/response_classifier.hpp"
#include "providers/url.hpp"

#include <rapidjson/document.h>

#include <utility>

#ifndef JOBSYNC_VERSION
#define JOBSYNC_VERSION "0.0.0"
#endif

namespace jobsync::providers::replicate {

namespace {

constexpr std::string_view component = "replicate";

result<std::string> string_field(const rapidjson::Value& doc,
                                 const char* name) {
  if (!doc.IsObject())
    return failure{errc::provider_error, "the body is not a JSON object"};
  auto i = doc.FindMember(name);
  if (i == doc.MemberEnd() || !i->value.IsString()
      || i->value.GetStringLength() == 0)
    return failure{errc::provider_error,
                   std::string{"the body has no `"} + name + "` string"};
  return std::string{i->value.GetString(), i->value.GetStringLength()};
}

} // namespace

std::optional<std::string> check_options(const provider_options& o) {
  if (o.name.empty())
    return "the provider needs a name";
  if (!is_http_url(o.api_base_url))
    return "api_base_url must be an http:// or https:// URL, not '"
           + o.api_base_url + "'";
  if (o.resource != "predictions" && o.resource != "trainings")
    return "resource must be 'predictions' or 'trainings', not '" + o.resource
           + "'";
  if (o.request_timeout.count() <= 0 || o.connect_timeout.count() <= 0)
    return "request and connect timeouts must be positive";
  if (o.max_concurrency == 0)
    return "max_concurrency must be at least 1";
  return std::nullopt;
}

result<std::shared_ptr<provider>> make_client(provider_options options) {
  if (auto bad = check_options(options))
    return failure{errc::bad_request, options.name + ": " + *bad};
  return std::shared_ptr<provider>{
      std::make_shared<client>(std::move(options))};
}

client::client(provider_options options)
    : options_(std::move(options)),
      user_agent_(std::string{"jobsync/"} + JOBSYNC_VERSION) {
  limits_.documented_per_minute = documented_requests_per_minute;
  if (!options_.api_token.empty())
    http_ = std::make_unique<http_client>(http_client_config{
        options_.max_concurrency, 64 * 1024 * 1024, options_.name});
}

client::~client() {
  // Pending callbacks use the members; run them while those are alive.
  stop();
}

void client::stop() {
  if (http_)
    http_->stop();
}

size_t client::pending_requests() const {
  return http_ ? http_->pending() : 0;
}

rate_limit_facts client::rate_limits() const {
  std::lock_guard<std::mutex> guard{limits_mtx_};
  return limits_;
}

result<provider_snapshot> client::parse_webhook(std::string_view body) const {
  return parse_job_json(body, options_.pricing, options_.name);
}

http_request client::make_request(const char* method, std::string url) const {
  http_request req;
  req.method = method;
  req.url = std::move(url);
  req.timeout = options_.request_timeout;
  req.connect_timeout = options_.connect_timeout;
  req.headers = {
      {"Authorization", "Bearer " + options_.api_token},
      {"Accept", "application/json"},
      {"User-Agent", user_agent_},
  };
  return req;
}

std::string client::job_url(const std::string& id) const {
  return join_url(options_.api_base_url,
                  options_.resource + "/" + percent_encode(id));
}

template <class T, class Parse>
void client::exchange(http_request req, provider_callback<T> done,
                      Parse parse) {
  if (!http_) {
    done(failure{errc::unavailable, options_.name + " has no API token"});
    return;
  }
  auto what = req.method + " " + req.url;
  http_->submit(std::move(req), [this, what = std::move(what),
                                 done = std::move(done),
                                 parse = std::move(parse)](http_response resp) {
    {
      std::lock_guard<std::mutex> guard{limits_mtx_};
      read_rate_limit(resp.headers, limits_);
    }
    if (auto e = classify_response(resp, options_.name, now_ms())) {
      log::debug(component, "{}: {}", what, e->detail);
      done(std::move(*e));
      return;
    }
    rapidjson::Document doc;
    result<T> answer = failure{};
    if (auto error = parse_json(doc, resp.body))
      answer = failure{errc::provider_error,
                       "the body is not JSON (" + *error + ")"};
    else
      answer = parse(doc);
    if (!answer) {
      auto e = malformed_response(options_.name, what, answer.error().detail);
      log::warning(component, "{}", e.detail);
      done(std::move(e));
      return;
    }
    done(std::move(answer));
  });
}

void client::list_page(const std::string& cursor,
                       provider_callback<provider_page> done) {
  std::string url;
  if (cursor.empty()) {
    url = join_url(options_.api_base_url, options_.resource);
  } else if (auto checked = resolve_next_url(options_.api_base_url, cursor)) {
    url = std::move(*checked);
  } else {
    done(failure{errc::bad_request, "refusing to send the " + options_.name
                                        + " token to '" + cursor
                                        + "': it is not on the API host"});
    return;
  }
  auto parse = [this](const rapidjson::Document& doc) -> result<provider_page> {
    auto shape = [](std::string why) {
      return failure{errc::provider_error, std::move(why)};
    };
    if (!doc.IsObject())
      return shape("the list page is not a JSON object");
    auto results = doc.FindMember("results");
    if (results == doc.MemberEnd() || !results->value.IsArray())
      return shape("the list page has no `results` array");
    provider_page page;
    if (auto next = doc.FindMember("next"); next != doc.MemberEnd()) {
      if (next->value.IsString()) {
        std::string link{next->value.GetString(),
                         next->value.GetStringLength()};
        page.next = resolve_next_url(options_.api_base_url, link);
        if (!page.next)
          return shape("the `next` link '" + link
                       + "' does not point at the API host");
      } else if (!next->value.IsNull()) {
        return shape("`next` is neither a URL nor null");
      }
    }
    std::string first_reason;
    for (auto& entry : results->value.GetArray()) {
      auto parsed = parse_job(entry, options_.pricing, options_.name);
      if (parsed)
        page.jobs.push_back(std::move(*parsed));
      else if (page.skipped++ == 0)
        first_reason = parsed.error().detail;
    }
    if (page.skipped > 0)
      log::warning(component,
                   "{}: left out {} list entries that are not "
                   "jobs (first: {})",
                   options_.name, page.skipped, first_reason);
    return page;
  };
  exchange<provider_page>(make_request("GET", url), std::move(done),
                          std::move(parse));
}

void client::get_job(const std::string& id, bool cancel,
                     provider_callback<provider_snapshot> done) {
  if (id.empty()) {
    done(failure{errc::bad_request, "the job id is empty"});
    return;
  }
  auto url = job_url(id);
  if (cancel)
    url += "/cancel";
  exchange<provider_snapshot>(
      make_request(cancel ? "POST" : "GET", std::move(url)), std::move(done),
      [this](const rapidjson::Document& doc) {
        return parse_job(doc, options_.pricing, options_.name);
      });
}

void client::get(const std::string& id,
                 provider_callback<provider_snapshot> done) {
  get_job(id, false, std::move(done));
}

void client::cancel(const std::string& id,
                    provider_callback<provider_snapshot> done) {
  get_job(id, true, std::move(done));
}

void client::logs(const std::string& id, provider_callback<provider_log> done) {
  if (id.empty()) {
    done(failure{errc::bad_request, "the job id is empty"});
    return;
  }
  auto parse = [this](const rapidjson::Document& doc) -> result<provider_log> {
    auto parsed = parse_job(doc, options_.pricing, options_.name);
    if (!parsed)
      return parsed.error();
    provider_log out;
    out.snapshot = std::move(*parsed);
    if (out.snapshot.logs && !out.snapshot.logs->empty()) {
      out.text = *out.snapshot.logs;
    } else if (auto output = doc.FindMember("output");
               output != doc.MemberEnd() && output->value.IsString()) {
      // Some trainers report through `output` only (SimpleTuner does the
      // same fallback).
      out.text.assign(output->value.GetString(),
                      output->value.GetStringLength());
    }
    return out;
  };
  exchange<provider_log>(make_request("GET", job_url(id)), std::move(done),
                         std::move(parse));
}

void client::webhook_secret(provider_callback<std::string> done) {
  exchange<std::string>(
      make_request("GET",
                   join_url(options_.api_base_url, "webhooks/default/secret")),
      std::move(done),
      [](const rapidjson::Document& d) { return string_field(d, "key"); });
}

void client::validate(provider_callback<std::string> done) {
  exchange<std::string>(
      make_request("GET", join_url(options_.api_base_url, "account")),
      std::move(done),
      [](const rapidjson::Document& d) { return string_field(d, "username"); });
}

} // namespace jobsync::providers::replicate
