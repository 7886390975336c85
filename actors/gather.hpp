#pragma once

#include <caf/error.hpp>

#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

namespace jobsync {

/// Asks every peer, folds each answer into one value, and runs `finish`
/// with it once every peer answered or failed (at once when there are no
/// peers). `ask(peer)` sends the request and returns its response handle;
/// `on_reply(value, reply)` and `on_error(value, error)` fold one answer,
/// or `on_reply(value, peer, reply)` and `on_error(value, peer, error)`
/// when the answer alone does not say whose it is. The one way jobsync's
/// actors fan a question out and gather the answers.
template <class Reply, class T, class Peers, class Ask, class OnReply,
          class OnError, class Finish>
void gather(const Peers& peers, T init, Ask ask, OnReply on_reply,
            OnError on_error, Finish finish) {
  struct fan_in {
    T value;
    size_t pending;
    Finish finish;
    void arrive() {
      if (--pending == 0)
        finish(value);
    }
  };
  auto g = std::make_shared<fan_in>(fan_in{
      std::move(init), static_cast<size_t>(peers.size()), std::move(finish)});
  if (g->pending == 0) {
    g->finish(g->value);
    return;
  }
  using peer_type = typename Peers::value_type;
  for (const auto& peer : peers)
    ask(peer).then(
        [g, on_reply, peer](Reply& r) mutable {
          if constexpr (std::is_invocable_v<OnReply&, T&, const peer_type&,
                                            Reply&>)
            on_reply(g->value, peer, r);
          else
            on_reply(g->value, r);
          g->arrive();
        },
        [g, on_error, peer](caf::error& e) mutable {
          if constexpr (std::is_invocable_v<OnError&, T&, const peer_type&,
                                            caf::error&>)
            on_error(g->value, peer, e);
          else
            on_error(g->value, e);
          g->arrive();
        });
}

} // namespace jobsync
