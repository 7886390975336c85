#include "http/jobs_resource.hpp"

#include "http/bridge.hpp"
#include "http/json_response.hpp"
#include "http/query.hpp"
#include "model/job_json.hpp"

namespace jobsync::http {

namespace {

constexpr long long max_limit = 500;
// Past any store's size, and far from where size_t arithmetic on it could
// overflow.
constexpr long long max_offset = 1'000'000'000'000LL;

failure bad_parameter(std::string_view name, std::string_view value,
                      std::string_view accepted) {
  return {errc::bad_request, "Invalid " + std::string{name} + " '"
                                 + std::string{value}
                                 + "': " + std::string{accepted}};
}

result<void> parse_statuses(std::string_view text, job_filter& filter) {
  std::string_view rest = text;
  for (;;) {
    auto comma = rest.find(',');
    auto word = rest.substr(0, comma);
    auto status = parse_status(word);
    if (!status)
      return bad_parameter("status", text,
                           "must be one or more of pending, uploading, "
                           "queued, running, completed, failed, cancelled, "
                           "separated by commas or given as repeated "
                           "status parameters");
    filter.allow(*status);
    if (comma == std::string_view::npos)
      return {};
    rest = rest.substr(comma + 1);
  }
}

// Built by hand rather than through json_writer: the jobs are stored
// pre-rendered, and a page is mostly their bytes copied once.
std::string page_json(const job_page& page, const list_query& q,
                      const refresh_report* sync,
                      const staleness_rule& staleness) {
  auto now = now_ms();
  // append_job adds up to about 150 bytes of derived members to each job's
  // stored ones; a short estimate would copy the whole page once more when
  // the string grows.
  size_t size = 160;
  for (const auto& x : page.jobs)
    size += x.members.size() + 160;
  std::string out;
  out.reserve(size);
  out += "{\"jobs\":[";
  for (const auto& x : page.jobs) {
    if (&x != page.jobs.data())
      out += ',';
    append_job(out, x, now, staleness);
  }
  out += "],\"total\":" + std::to_string(page.total);
  out += ",\"limit\":" + std::to_string(q.limit);
  out += ",\"offset\":" + std::to_string(q.offset);
  if (sync) {
    auto flag = [](bool b) { return b ? "true" : "false"; };
    out += ",\"sync\":{\"checked\":" + std::to_string(sync->checked);
    out += ",\"updated\":" + std::to_string(sync->updated);
    out += ",\"failed\":" + std::to_string(sync->failed);
    out += ",\"complete\":";
    out += flag(sync->complete);
    out += '}';
  }
  out += '}';
  return out;
}

response page_response(const job_page& page, const list_query& q,
                       const refresh_report* sync,
                       const staleness_rule& staleness) {
  response r;
  r.body = page_json(page, q, sync, staleness);
  return r;
}

} // namespace

result<list_request> parse_list_request(std::string_view raw_query) {
  auto params = query_params::parse(raw_query, {"status"});
  if (!params)
    return params.error();
  list_request out;
  if (auto v = params->get("limit")) {
    auto n = parse_integer(*v, 1, max_limit);
    if (!n)
      return bad_parameter("limit", *v, "must be an integer from 1 to 500");
    out.query.limit = static_cast<size_t>(*n);
  }
  if (auto v = params->get("offset")) {
    auto n = parse_integer(*v, 0, max_offset);
    if (!n)
      return bad_parameter("offset", *v,
                           "must be an integer from 0 to "
                               + std::to_string(max_offset));
    out.query.offset = static_cast<size_t>(*n);
  }
  if (auto v = params->get("status"))
    if (auto ok = parse_statuses(*v, out.query.filter); !ok)
      return ok.error();
  if (auto v = params->get("provider")) {
    if (v->empty())
      return bad_parameter("provider", *v,
                           "must name a provider, e.g. replicate");
    out.query.filter.provider = std::string{*v};
  }
  if (auto v = params->get("job_type")) {
    auto type = parse_job_type(*v);
    if (!type)
      return bad_parameter("job_type", *v, "must be cloud or local");
    out.query.filter.type = *type;
  }
  if (auto v = params->get("sync_active")) {
    auto flag = parse_flag(*v);
    if (!flag)
      return bad_parameter("sync_active", *v, "must be true, false, 1 or 0");
    out.sync_active = *flag;
  }
  return out;
}

handler list_jobs(std::shared_ptr<const api> a) {
  return [a](const exchange_ptr& ex) {
    auto req = parse_list_request(ex->query);
    if (!req)
      return ex->respond(error_response(req.error()));
    auto q = req->query;
    if (req->sync_active) {
      ask(
          *a, ex, a->actors().sync,
          [ex, q, a](job_page& page, refresh_report& sync) {
            ex->respond(page_response(page, q, &sync, a->config()->staleness));
          },
          refresh_atom::value, q);
      return;
    }
    ask_direct(
        *a, ex, a->reader(),
        [ex, q, a](job_page& page) {
          ex->respond(page_response(page, q, nullptr, a->config()->staleness));
        },
        list_atom::value, q);
  };
}

handler get_job(std::shared_ptr<const api> a) {
  return [a](const exchange_ptr& ex) {
    ask_direct(
        *a, ex, a->reader(),
        [ex, a](job& x) {
          ex->respond(json_response([&](json_writer& w) {
            w.StartObject();
            w.Key("job");
            write_job(w, x, now_ms(), a->config()->staleness);
            w.EndObject();
          }));
        },
        get_atom::value, job_ref{ex->params.at("job_id")});
  };
}

handler delete_job(std::shared_ptr<const api> a) {
  return [a](const exchange_ptr& ex) {
    ask(
        *a, ex, a->actors().registry,
        [ex](job& removed) {
          ex->respond(json_response([&](json_writer& w) {
            w.StartObject();
            w.Key("success");
            w.Bool(true);
            w.Key("job_id");
            w.String(removed.job_id);
            w.EndObject();
          }));
        },
        erase_atom::value, job_ref{ex->params.at("job_id")});
  };
}

} // namespace jobsync::http
