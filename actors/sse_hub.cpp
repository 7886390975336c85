#include "actors/sse_hub.hpp"

#include "actors/error.hpp"
#include "logging/log.hpp"
#include "model/event_frame.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

namespace jobsync {

result<void> sse_hub_config::validate() const {
  if (heartbeat.count() <= 0)
    return failure{errc::bad_request,
                   "the heartbeat interval must be positive"};
  if (replay_buffer == 0)
    return failure{errc::bad_request, "the replay buffer must keep an event"};
  if (max_connections == 0 || max_connections_per_address == 0)
    return failure{errc::bad_request,
                   "the connection limits must allow a connection"};
  if (max_buffered_bytes == 0)
    return failure{errc::bad_request,
                   "subscribers must be allowed some unsent bytes"};
  if (retry.count() <= 0 || drain_timeout.count() <= 0)
    return failure{errc::bad_request,
                   "the retry hint and the drain timeout must be positive"};
  return {};
}

bool sse_hub_state::subscriber::wants(const retained_event& e) const {
  if (job_id && *job_id != e.job_id)
    return false;
  if (provider && provider != e.provider)
    return false;
  return true;
}

void sse_hub_state::init(sse_hub_config cfg) {
  config = std::move(cfg);
  auto& backlog = config.backlog;
  auto start
      = backlog.empty() ? config.last_event_id : backlog.front().event_id - 1;
  ring = replay_ring{config.replay_buffer, start};
  for (auto& e : backlog)
    ring.push({e.event_id, e.job_id, e.provider,
               std::make_shared<const std::string>(event_frame(e))});
  backlog.clear();
  keepalive = std::make_shared<const std::string>(keepalive_frame());
}

void sse_hub_state::resync(uint64_t id) {
  publish();
  ring = replay_ring{config.replay_buffer, id};
  auto frame = std::make_shared<const std::string>(resync_frame(id));
  for (auto& [sub_id, sub] : subscribers)
    sub.output->write(frame);
  stats.resyncs += subscribers.size();
}

sse_hub_state::iterator sse_hub_state::remove(iterator i) {
  auto& sub = i->second;
  sub.output->close({});
  auto [first, last] = by_connection.equal_range(sub.connection_id);
  for (auto j = first; j != last; ++j)
    if (j->second == i->first) {
      by_connection.erase(j);
      break;
    }
  if (auto a = per_address.find(sub.address); a != per_address.end())
    if (--a->second == 0)
      per_address.erase(a);
  return subscribers.erase(i);
}

bool sse_hub_state::drop_if_slow(iterator& i) {
  auto& sub = i->second;
  auto owed = sub.output->unflushed();
  bool was_over = sub.over_bound;
  sub.over_bound = owed > config.max_buffered_bytes;
  if (!sub.over_bound || !was_over)
    return false;
  log::warning("sse_hub",
               "dropped a slow subscriber (connection {} from {}): "
               "{} bytes still unsent a heartbeat later, the limit is {} "
               "(events.max_buffered_bytes)",
               sub.connection_id, sub.address, owed, config.max_buffered_bytes);
  ++stats.dropped_slow;
  i = remove(i);
  return true;
}

void sse_hub_state::publish() {
  if (pending.empty())
    return;
  auto events = std::move(pending);
  pending.clear();
  std::vector<retained_event> batch;
  batch.reserve(events.size());
  for (auto& e : events) {
    retained_event r{e.event_id, e.job_id, e.provider,
                     std::make_shared<const std::string>(event_frame(e))};
    if (!ring.push(r)) {
      log::warning("sse_hub", "event {} arrived after event {}: ignored",
                   e.event_id, ring.newest());
      continue;
    }
    ++stats.events;
    batch.push_back(std::move(r));
  }
  if (batch.empty() || subscribers.empty())
    return;
  // Everyone without a filter shares one buffer with the whole batch.
  std::shared_ptr<const std::string> all;
  if (batch.size() == 1) {
    all = batch.front().frame;
  } else {
    std::string text;
    size_t bytes = 0;
    for (const auto& r : batch)
      bytes += r.frame->size();
    text.reserve(bytes);
    for (const auto& r : batch)
      text += *r.frame;
    all = std::make_shared<const std::string>(std::move(text));
  }
  for (auto& [id, sub] : subscribers) {
    if (!sub.job_id && !sub.provider) {
      sub.output->write(all);
      stats.frames_sent += batch.size();
      continue;
    }
    std::string text;
    const retained_event* only = nullptr;
    size_t frames = 0;
    for (const auto& r : batch)
      if (sub.wants(r)) {
        only = &r;
        text += *r.frame;
        ++frames;
      }
    if (frames == 0)
      continue;
    sub.output->write(
        frames == 1 ? only->frame
                    : std::make_shared<const std::string>(std::move(text)));
    stats.frames_sent += frames;
  }
}

result<uint64_t> sse_hub_state::subscribe(event_subscription& s) {
  auto refuse = [&](std::string why) -> failure {
    ++stats.refused;
    log::info("sse_hub", "refused an event stream for {}: {}", s.remote_address,
              why);
    return {errc::unavailable, std::move(why)};
  };
  if (!s.output)
    return failure{errc::internal, "a subscription without an output"};
  if (draining)
    return refuse("The server is shutting down; reconnect in a moment");
  if (subscribers.size() >= config.max_connections)
    return refuse("This server already serves "
                  + std::to_string(subscribers.size())
                  + " event streams, its limit (events.max_connections); "
                    "try again later");
  auto a = per_address.find(s.remote_address);
  if (a != per_address.end() && a->second >= config.max_connections_per_address)
    return refuse("Too many event streams from " + s.remote_address
                  + ": at most "
                  + std::to_string(config.max_connections_per_address)
                  + " per address (events.max_connections_per_address); "
                    "close one first");
  if (!s.output->open())
    return failure{errc::timeout,
                   "The request was answered before its stream could open"};
  bool resuming = s.last_event_id && !s.last_event_id->empty();
  auto first = connect_frame(
      config.retry, resuming ? std::nullopt : std::optional{ring.newest()});
  sse_hub_state::subscriber sub{s.output, s.connection_id, s.remote_address,
                                s.job_id, s.provider};
  size_t replayed = 0;
  if (resuming) {
    auto plan = ring.plan(*s.last_event_id);
    if (plan.resync) {
      first += resync_frame(ring.newest());
      ++stats.resyncs;
    } else {
      for (size_t i = plan.first; i < ring.size(); ++i)
        if (sub.wants(ring.at(i))) {
          first += *ring.at(i).frame;
          ++replayed;
        }
    }
  }
  // The connect frame and the replay go out in one write, before any
  // event published after this call.
  s.output->write(std::make_shared<const std::string>(std::move(first)));
  stats.frames_sent += replayed;
  auto id = next_subscriber++;
  subscribers.emplace(id, std::move(sub));
  by_connection.emplace(s.connection_id, id);
  ++per_address[s.remote_address];
  ++stats.subscriptions;
  log::debug("sse_hub",
             "subscriber {} (connection {} from {}) after {}: {} "
             "replayed",
             id, s.connection_id, s.remote_address,
             resuming ? *s.last_event_id : std::string{"-"}, replayed);
  return id;
}

size_t sse_hub_state::disconnect(uint64_t connection_id) {
  size_t n = 0;
  for (auto j = by_connection.find(connection_id);
       j != by_connection.end() && j->first == connection_id;
       j = by_connection.find(connection_id)) {
    auto i = subscribers.find(j->second);
    if (i == subscribers.end()) {
      by_connection.erase(j);
      continue;
    }
    remove(i);
    ++n;
  }
  stats.disconnected += n;
  return n;
}

void sse_hub_state::heartbeat() {
  for (auto i = subscribers.begin(); i != subscribers.end();) {
    if (drop_if_slow(i))
      continue;
    i->second.output->write(keepalive);
    ++i;
  }
}

size_t sse_hub_state::close_all(const std::function<void()>& on_end) {
  auto n = subscribers.size();
  for (auto& [id, sub] : subscribers)
    sub.output->close(on_end);
  subscribers.clear();
  by_connection.clear();
  per_address.clear();
  return n;
}

event_stream_stats sse_hub_state::status() const {
  auto x = stats;
  x.subscribers = subscribers.size();
  x.addresses = per_address.size();
  x.last_event_id = ring.newest();
  x.replay_size = ring.size();
  return x;
}

namespace {

using self_ptr = sse_hub_actor::stateful_pointer<sse_hub_state>;

void finish_drain(self_ptr self) {
  auto& st = self->state;
  st.ends_outstanding = 0;
  for (auto& w : st.drain_waiters)
    w.deliver(st.drained_count);
  st.drain_waiters.clear();
}

} // namespace

void sse_hub_state::reconfigure(const sse_hub_config& cfg) {
  config.heartbeat = cfg.heartbeat;
  config.retry = cfg.retry;
  config.max_connections_per_address = cfg.max_connections_per_address;
  config.max_buffered_bytes = cfg.max_buffered_bytes;
}

sse_hub_actor::behavior_type sse_hub(self_ptr self, sse_hub_config config) {
  self->state.init(std::move(config));
  // Streams still open at exit (no drain ran) end here; their connections
  // may already be gone, which the outputs tolerate.
  self->set_exit_handler([=](const caf::exit_msg& msg) {
    auto n = self->state.close_all({});
    if (n > 0)
      log::info("sse_hub", "ended {} event streams at exit", n);
    finish_drain(self);
    self->quit(msg.reason);
  });
  self->delayed_send(self, self->state.config.heartbeat, tick_atom::value);
  return {
      [=](std::vector<job_changed>& events) {
        auto& st = self->state;
        st.pending.insert(st.pending.end(),
                          std::make_move_iterator(events.begin()),
                          std::make_move_iterator(events.end()));
        // Like the registry's group commit: the flush queues behind every
        // event already in the mailbox, so a burst goes out in one write
        // per subscriber.
        if (!st.flush_scheduled) {
          st.flush_scheduled = true;
          self->send(self, flush_atom::value);
        }
      },
      [=](flush_atom) {
        self->state.flush_scheduled = false;
        self->state.publish();
      },
      [=](subscribe_atom, event_subscription& s) -> caf::result<uint64_t> {
        auto& st = self->state;
        st.publish();
        auto id = st.subscribe(s);
        if (!id)
          return to_error(id.error());
        return *id;
      },
      [=](resync_atom, uint64_t id) { self->state.resync(id); },
      [=](unsubscribe_atom, uint64_t connection_id) {
        self->state.disconnect(connection_id);
      },
      [=](status_atom) { return self->state.status(); },
      [=](drain_atom) -> caf::result<uint64_t> {
        auto& st = self->state;
        st.publish();
        st.draining = true;
        auto hub = caf::actor_cast<caf::actor_addr>(self);
        auto n = st.close_all([hub] {
          if (auto h = caf::actor_cast<sse_hub_actor>(hub))
            caf::anon_send(h, drained_atom::value);
        });
        st.drained_count += n;
        st.ends_outstanding += n;
        if (n > 0)
          log::info("sse_hub", "ending {} event streams", n);
        if (st.ends_outstanding == 0)
          return st.drained_count;
        auto promise = self->make_response_promise<uint64_t>();
        st.drain_waiters.push_back(promise);
        self->delayed_send(self, st.config.drain_timeout, timeout_atom::value);
        return promise;
      },
      [=](tick_atom) {
        self->state.heartbeat();
        self->delayed_send(self, self->state.config.heartbeat,
                           tick_atom::value);
      },
      [=](drained_atom) {
        auto& st = self->state;
        if (st.ends_outstanding > 0 && --st.ends_outstanding == 0)
          finish_drain(self);
      },
      [=](reload_atom, sse_hub_config& c) {
        self->state.reconfigure(std::move(c));
      },
      [=](timeout_atom) {
        auto& st = self->state;
        if (st.drain_waiters.empty())
          return;
        log::warning("sse_hub",
                     "{} stream ends were not confirmed before the "
                     "drain deadline",
                     st.ends_outstanding);
        finish_drain(self);
      },
  };
}

} // namespace jobsync
