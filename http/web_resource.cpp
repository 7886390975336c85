#include "http/web_resource.hpp"

#include "http/error_table.hpp"
#include "http/json_response.hpp"
#include "web/assets.hpp"

#include <fstream>
#include <iterator>

namespace jobsync::http {

namespace {

// The page loads nothing from elsewhere; the policy makes that a rule the
// browser enforces (no CDN, no inline script, no framing). blob: images
// are ones the page made itself: a validation image fetched with the
// token.
constexpr std::string_view page_policy
    = "default-src 'none'; script-src 'self'; style-src 'self'; "
      "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; "
      "manifest-src 'self'; base-uri 'none'; form-action 'none'; "
      "frame-ancestors 'none'";

struct file_body {
  std::string content_type;
  std::string etag;
  std::string body;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

std::string_view strip_weak(std::string_view tag) {
  if (tag.size() >= 2 && tag.substr(0, 2) == "W/")
    tag.remove_prefix(2);
  return tag;
}

// Development mode reads the folder on every request (on the I/O thread:
// a few small local files, and never in production, where the embedded
// copy is served).
result<file_body> read_from_folder(const std::string& dir,
                                   std::string_view name) {
  if (!web::is_safe_name(name))
    return failure{errc::not_found,
                   "No dashboard file '" + std::string{name} + "'"};
  std::ifstream in{dir + "/" + std::string{name}, std::ios::binary};
  if (!in)
    return failure{errc::not_found, "No dashboard file '" + std::string{name}
                                        + "' in web.assets_dir (" + dir + ")"};
  std::string body{std::istreambuf_iterator<char>{in},
                   std::istreambuf_iterator<char>{}};
  if (in.bad())
    return failure{errc::internal, "Cannot read dashboard file '"
                                       + std::string{name} + "' in " + dir};
  auto etag = web::etag_of(body);
  return file_body{std::string{web::content_type_of(name)}, std::move(etag),
                   std::move(body)};
}

result<file_body> embedded(std::string_view name) {
  auto found = web::find_embedded(name);
  if (!found)
    return failure{errc::not_found,
                   "No dashboard file '" + std::string{name} + "'"};
  return file_body{std::string{found->content_type}, found->etag,
                   std::string{found->body}};
}

void respond_with(const exchange_ptr& ex, result<file_body> file) {
  if (!file)
    return ex->respond(error_response(file.error()));
  response r;
  // Revalidated on every load (cheap 304s), so a new build is never hidden
  // behind a stale cache.
  r.headers.emplace_back("ETag", file->etag);
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (file->content_type.rfind("text/html", 0) == 0) {
    r.headers.emplace_back("Content-Security-Policy", std::string{page_policy});
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
  }
  r.content_type = file->content_type;
  if (auto inm = ex->header("if-none-match");
      inm && etag_matches(*inm, file->etag)) {
    r.status = 304;
    return ex->respond(std::move(r));
  }
  r.body = std::move(file->body);
  ex->respond(std::move(r));
}

void serve(const api& a, const exchange_ptr& ex, std::string_view name) {
  auto dir = a.config()->web.assets_dir;
  respond_with(ex, dir.empty() ? embedded(name) : read_from_folder(dir, name));
}

} // namespace

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  auto wanted = strip_weak(etag);
  std::string_view rest = if_none_match;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto item = trim(rest.substr(0, comma));
    if (item == "*" || (!item.empty() && strip_weak(item) == wanted))
      return true;
    if (comma == std::string_view::npos)
      break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

handler dashboard_page(std::shared_ptr<const api> a) {
  return [a](const exchange_ptr& ex) { serve(*a, ex, "index.html"); };
}

handler dashboard_asset(std::shared_ptr<const api> a) {
  return [a](const exchange_ptr& ex) { serve(*a, ex, ex->params.at("file")); };
}

handler openapi_document() {
  return [](const exchange_ptr& ex) {
    // Always the embedded copy: the contract of this very build.
    const auto& doc = web::api_contract();
    respond_with(ex, file_body{std::string{doc.content_type}, doc.etag,
                               std::string{doc.body}});
  };
}

handler ui_config(std::shared_ptr<const api> a) {
  return [a](const exchange_ptr& ex) {
    ex->respond(json_response([&](json_writer& w) {
      w.StartObject();
      w.Key("demo");
      w.Bool(a->config()->web.demo);
      w.Key("version");
      w.String(JOBSYNC_VERSION);
      w.EndObject();
    }));
  };
}

} // namespace jobsync::http
