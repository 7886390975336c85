#include "providers/replicate_client.hpp"

#include "logging/log.hpp"
#include "model/json.hpp"
#include "providers/response_classifier.hpp"
#include "providers/url.hpp"

#include <rapidjson/document.h>

#include <set>
#include <utility>
#include <variant>

#ifndef JOBSYNC_VERSION
#define JOBSYNC_VERSION "0.0.0"
#endif

namespace jobsync::providers {

namespace {

constexpr std::string_view component = "replicate_client";

// Why a 2xx body did not have the expected shape (a distinct type, so that
// std::variant<std::string, shape_error> stays unambiguous).
struct shape_error {
  std::string reason;
};

template <class T>
using parsed = std::variant<T, shape_error>;

// One request whose 2xx JSON body `parse` turns into a T; every other
// outcome becomes a provider_error. Runs `callback` on the HTTP thread.
template <class T, class Parse>
void exchange(http_client& http, const std::string& provider, http_request req,
              provider_callback<T> callback, Parse parse) {
  auto what = req.method + " " + req.url;
  auto on_response
      = [provider, what = std::move(what), callback = std::move(callback),
         parse = std::move(parse)](http_response resp) {
          auto limits = read_rate_limit(resp.headers);
          if (auto e = classify_response(resp, provider, now_ms())) {
            log::debug(component, "{}: {}", what, e->message);
            callback(provider_result<T>{std::move(*e), limits});
            return;
          }
          auto fail = [&](std::string reason) {
            auto e = malformed_response(provider, what, reason, resp.status);
            log::warning(component, "{}", e.message);
            callback(provider_result<T>{std::move(e), limits});
          };
          rapidjson::Document doc;
          if (auto error = parse_json(doc, resp.body)) {
            fail("the body is not JSON (" + *error + ")");
            return;
          }
          auto result = parse(doc);
          if (auto* bad = std::get_if<shape_error>(&result)) {
            fail(std::move(bad->reason));
            return;
          }
          callback(provider_result<T>{std::get<T>(std::move(result)), limits});
        };
  http.submit(std::move(req), std::move(on_response));
}

template <class T>
void fail_now(const provider_callback<T>& callback, provider_error_kind kind,
              std::string message) {
  provider_error e;
  e.kind = kind;
  e.message = std::move(message);
  callback(provider_result<T>{std::move(e)});
}

parsed<std::string> string_field(const rapidjson::Value& doc,
                                 const char* name) {
  if (!doc.IsObject())
    return shape_error{"the body is not a JSON object"};
  auto i = doc.FindMember(name);
  if (i == doc.MemberEnd() || !i->value.IsString()
      || i->value.GetStringLength() == 0)
    return shape_error{std::string{"the body has no `"} + name + "` string"};
  return std::string{i->value.GetString(), i->value.GetStringLength()};
}

} // namespace

std::optional<std::string> replicate_client_config::validate() const {
  if (name.empty())
    return "the provider needs a name";
  if (!is_http_url(api_base_url))
    return "api_base_url must be an http:// or https:// URL, not '"
           + api_base_url + "'";
  if (api_token.empty())
    return "the provider '" + name + "' has no API token";
  if (resource != "predictions" && resource != "trainings")
    return "resource must be 'predictions' or 'trainings', not '" + resource
           + "'";
  if (request_timeout.count() <= 0 || connect_timeout.count() <= 0)
    return "request and connect timeouts must be positive";
  if (max_concurrency == 0)
    return "max_concurrency must be at least 1";
  return std::nullopt;
}

struct replicate_client::list_walk {
  size_t max_jobs = 0;
  std::optional<unix_ms> created_after;
  replicate_listing result;
  std::set<std::string> visited;
  provider_callback<replicate_listing> callback;
};

replicate_client::replicate_client(replicate_client_config cfg)
    : cfg_(std::move(cfg)),
      user_agent_(std::string{"jobsync/"} + JOBSYNC_VERSION),
      http_(http_client_config{cfg_.max_concurrency, 64 * 1024 * 1024,
                               cfg_.name}) {}

replicate_client::~replicate_client() {
  // Pending callbacks use cfg_; run them while it is still alive.
  http_.stop();
}

void replicate_client::stop() {
  http_.stop();
}

http_request replicate_client::make_request(const char* method,
                                            std::string url) const {
  http_request req;
  req.method = method;
  req.url = std::move(url);
  req.timeout = cfg_.request_timeout;
  req.connect_timeout = cfg_.connect_timeout;
  req.headers = {
      {"Authorization", "Bearer " + cfg_.api_token},
      {"Accept", "application/json"},
      {"User-Agent", user_agent_},
  };
  return req;
}

void replicate_client::list_page(std::string url,
                                 provider_callback<replicate_page> callback) {
  if (url.empty()) {
    url = join_url(cfg_.api_base_url, cfg_.resource);
  } else if (auto checked = resolve_next_url(cfg_.api_base_url, url)) {
    url = std::move(*checked);
  } else {
    fail_now(callback, provider_error_kind::invalid,
             "refusing to send the " + cfg_.name + " token to '" + url
                 + "': it is not on the API host");
    return;
  }
  auto parse
      = [this](const rapidjson::Document& doc) -> parsed<replicate_page> {
    if (!doc.IsObject())
      return shape_error{"the list page is not a JSON object"};
    auto results = doc.FindMember("results");
    if (results == doc.MemberEnd() || !results->value.IsArray())
      return shape_error{"the list page has no `results` array"};
    replicate_page page;
    if (auto next = doc.FindMember("next"); next != doc.MemberEnd()) {
      if (next->value.IsString()) {
        std::string link{next->value.GetString(),
                         next->value.GetStringLength()};
        page.next = resolve_next_url(cfg_.api_base_url, link);
        if (!page.next)
          return shape_error{"the `next` link '" + link
                             + "' does not point at the API host"};
      } else if (!next->value.IsNull()) {
        return shape_error{"`next` is neither a URL nor null"};
      }
    }
    std::string first_reason;
    for (auto& entry : results->value.GetArray()) {
      auto parsed = parse_replicate_job(entry, cfg_.pricing, cfg_.name);
      if (parsed) {
        page.jobs.push_back(std::move(*parsed.snapshot));
      } else {
        if (page.skipped++ == 0)
          first_reason = std::move(parsed.error);
      }
    }
    if (page.skipped > 0)
      log::warning(component,
                   "{}: left out {} list entries that are not "
                   "jobs (first: {})",
                   cfg_.name, page.skipped, first_reason);
    return page;
  };
  exchange<replicate_page>(http_, cfg_.name, make_request("GET", url),
                           std::move(callback), std::move(parse));
}

void replicate_client::list(size_t max_jobs,
                            std::optional<unix_ms> created_after,
                            provider_callback<replicate_listing> callback) {
  if (max_jobs == 0) {
    callback(provider_result<replicate_listing>{replicate_listing{}});
    return;
  }
  auto state = std::make_shared<list_walk>();
  state->max_jobs = max_jobs;
  state->created_after = created_after;
  state->callback = std::move(callback);
  walk(std::move(state), {});
}

void replicate_client::walk(std::shared_ptr<list_walk> state, std::string url) {
  list_page(std::move(url), [this, state](provider_result<replicate_page> r) {
    auto& out = state->result;
    ++out.requests;
    if (!r) {
      state->callback(
          provider_result<replicate_listing>{r.error(), r.rate_limit});
      return;
    }
    auto& page = r.value();
    ++out.pages;
    out.skipped += page.skipped;
    bool reached_bound = false;
    for (auto& job : page.jobs) {
      if (state->created_after && job.created_at) {
        auto created = parse_rfc3339(*job.created_at);
        if (created && *created < *state->created_after) {
          // Newest first: everything after this entry is older as well.
          reached_bound = true;
          continue;
        }
      }
      if (out.jobs.size() < state->max_jobs)
        out.jobs.push_back(std::move(job));
    }
    out.exhausted = !page.next;
    bool empty_page = page.jobs.empty() && page.skipped == 0;
    if (!page.next || out.jobs.size() >= state->max_jobs || reached_bound
        || empty_page) {
      state->callback(
          provider_result<replicate_listing>{std::move(out), r.rate_limit});
      return;
    }
    if (!state->visited.insert(*page.next).second) {
      auto e = malformed_response(cfg_.name, "GET " + *page.next,
                                  "the `next` links go round in a circle", 200);
      state->callback(
          provider_result<replicate_listing>{std::move(e), r.rate_limit});
      return;
    }
    walk(state, *page.next);
  });
}

void replicate_client::get_job(std::string id, bool cancel,
                               provider_callback<provider_snapshot> callback) {
  if (id.empty()) {
    fail_now(callback, provider_error_kind::invalid, "the job id is empty");
    return;
  }
  auto url
      = join_url(cfg_.api_base_url, cfg_.resource + "/" + percent_encode(id));
  if (cancel)
    url += "/cancel";
  auto parse
      = [this](const rapidjson::Document& doc) -> parsed<provider_snapshot> {
    auto parsed = parse_replicate_job(doc, cfg_.pricing, cfg_.name);
    if (!parsed)
      return shape_error{std::move(parsed.error)};
    return std::move(*parsed.snapshot);
  };
  exchange<provider_snapshot>(
      http_, cfg_.name, make_request(cancel ? "POST" : "GET", std::move(url)),
      std::move(callback), std::move(parse));
}

void replicate_client::get(std::string id,
                           provider_callback<provider_snapshot> callback) {
  get_job(std::move(id), false, std::move(callback));
}

void replicate_client::cancel(std::string id,
                              provider_callback<provider_snapshot> callback) {
  get_job(std::move(id), true, std::move(callback));
}

void replicate_client::logs(std::string id,
                            provider_callback<replicate_logs> callback) {
  if (id.empty()) {
    fail_now(callback, provider_error_kind::invalid, "the job id is empty");
    return;
  }
  auto url
      = join_url(cfg_.api_base_url, cfg_.resource + "/" + percent_encode(id));
  auto parse
      = [this](const rapidjson::Document& doc) -> parsed<replicate_logs> {
    auto parsed = parse_replicate_job(doc, cfg_.pricing, cfg_.name);
    if (!parsed)
      return shape_error{std::move(parsed.error)};
    replicate_logs out;
    out.snapshot = std::move(*parsed.snapshot);
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
  exchange<replicate_logs>(http_, cfg_.name, make_request("GET", url),
                           std::move(callback), std::move(parse));
}

void replicate_client::webhook_secret(provider_callback<std::string> callback) {
  exchange<std::string>(
      http_, cfg_.name,
      make_request("GET",
                   join_url(cfg_.api_base_url, "webhooks/default/secret")),
      std::move(callback),
      [](const rapidjson::Document& d) { return string_field(d, "key"); });
}

void replicate_client::validate(provider_callback<std::string> callback) {
  exchange<std::string>(
      http_, cfg_.name,
      make_request("GET", join_url(cfg_.api_base_url, "account")),
      std::move(callback),
      [](const rapidjson::Document& d) { return string_field(d, "username"); });
}

} // namespace jobsync::providers
