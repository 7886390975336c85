#include "model/merge.hpp"
#include "model/missing.hpp"

#include <boost/test/unit_test.hpp>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using namespace jobsync;

namespace {

// A provider's status words and what they map to (Replicate's, as the
// merge rules see them: already mapped by the provider).
const char* replicate_words[]
    = {"starting", "processing", "succeeded", "failed", "canceled", "aborted"};

std::optional<job_status> mapped_word(const std::string& word) {
  static const std::map<std::string, job_status> table = {
      {"starting", job_status::queued},     {"processing", job_status::running},
      {"succeeded", job_status::completed}, {"failed", job_status::failed},
      {"canceled", job_status::cancelled},  {"aborted", job_status::cancelled},
  };
  auto i = table.find(word);
  if (i == table.end())
    return std::nullopt;
  return i->second;
}

provider_snapshot snapshot(std::string word) {
  provider_snapshot s;
  s.provider = "replicate";
  s.external_id = "p1";
  s.provider_status = word;
  s.status = mapped_word(word);
  return s;
}

job stored_job(job_status status) {
  job x;
  x.job_id = "p1";
  x.external_id = "p1";
  x.provider = "replicate";
  x.status = status;
  x.created_at = "2026-11-01T10:00:00Z";
  return x;
}

} // namespace

BOOST_AUTO_TEST_SUITE(merge)

BOOST_AUTO_TEST_CASE(a_discovered_job_takes_everything_the_provider_said) {
  auto s = snapshot("processing");
  s.created_at = "2026-11-01T10:00:00.123456789Z";
  s.started_at = "2026-11-01T10:00:05.5Z";
  s.cost_usd = 0.5;
  s.hardware_type = "L40S (48GB)";
  s.metadata = {{"model", "\"owner/trainer\""}};
  auto x = job_from_snapshot(s, 0);
  BOOST_TEST(x.job_id == "p1");
  BOOST_TEST(x.external_id == "p1");
  BOOST_TEST((x.type == job_type::cloud));
  BOOST_TEST((x.status == job_status::running));
  BOOST_TEST(*x.provider_status == "processing");
  BOOST_TEST(x.created_at == "2026-11-01T10:00:00.123456789Z");
  BOOST_TEST(*x.started_at == "2026-11-01T10:00:05.5Z");
  BOOST_TEST(!x.completed_at);
  BOOST_TEST(*x.cost_usd == 0.5);
  BOOST_TEST(x.metadata.at("model") == "\"owner/trainer\"");
}

BOOST_AUTO_TEST_CASE(a_discovery_without_created_at_uses_now) {
  auto x = job_from_snapshot(snapshot("starting"), 1701092145993);
  BOOST_TEST(x.created_at == "2023-11-27T13:35:45.993Z");
}

BOOST_AUTO_TEST_CASE(a_discovery_is_confirmed_when_its_status_is_known) {
  BOOST_TEST((job_from_snapshot(snapshot("processing"), 77).synced_at
              == std::optional<unix_ms>{77}));
  BOOST_TEST(!job_from_snapshot(snapshot("paused"), 77).synced_at);
}

BOOST_AUTO_TEST_CASE(a_snapshot_confirms_when_it_is_not_behind_for_every_pair) {
  for (auto from : replicate_words)
    for (auto to : replicate_words) {
      auto x = stored_job(*mapped_word(from));
      auto before = x.status;
      auto to_status = *mapped_word(to);
      auto r = apply_snapshot(x, snapshot(to));
      bool expected = is_terminal(before)
                          ? to_status == before
                          : lifecycle_rank(to_status) >= lifecycle_rank(before);
      BOOST_TEST(r.confirmed == expected, from << " -> " << to);
      BOOST_TEST(!x.synced_at, "the registry stamps it, not the merge");
    }
  // An unknown word says nothing about the state.
  auto x = stored_job(job_status::running);
  BOOST_TEST(!apply_snapshot(x, snapshot("paused")).confirmed);
}

BOOST_AUTO_TEST_CASE(a_discovered_job_with_an_unknown_word_is_pending) {
  auto x = job_from_snapshot(snapshot("booting"), 0);
  BOOST_TEST((x.status == job_status::pending));
  BOOST_TEST(*x.provider_status == "booting");
}

// Every stored status against every provider word: the status moves only
// forward, and a terminal status is final.
BOOST_AUTO_TEST_CASE(status_only_moves_forward_for_every_pair) {
  for (auto stored : all_statuses) {
    for (auto word : replicate_words) {
      auto x = stored_job(stored);
      auto r = apply_snapshot(x, snapshot(word));
      auto mapped = *mapped_word(word);
      bool may_move = !is_terminal(stored)
                      && lifecycle_rank(mapped) >= lifecycle_rank(stored);
      auto expected = may_move ? mapped : stored;
      BOOST_TEST((x.status == expected), to_string(stored) << " + " << word);
      BOOST_TEST(r.status_changed == (expected != stored),
                 to_string(stored) << " + " << word);
      BOOST_TEST((r.old_status == stored));
      BOOST_TEST((r.new_status == x.status));
      if (r.status_changed)
        BOOST_TEST(r.changed);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_terminal_job_never_becomes_active_again) {
  for (auto terminal :
       {job_status::completed, job_status::failed, job_status::cancelled})
    for (auto word : {"starting", "processing"}) {
      auto x = stored_job(terminal);
      x.provider_status = "succeeded";
      auto r = apply_snapshot(x, snapshot(word));
      BOOST_TEST((x.status == terminal));
      BOOST_TEST(!r.status_changed);
      BOOST_TEST(*x.provider_status == "succeeded");
    }
}

BOOST_AUTO_TEST_CASE(applying_the_same_snapshot_twice_changes_nothing) {
  for (auto word : replicate_words) {
    auto x = stored_job(job_status::queued);
    auto s = snapshot(word);
    s.started_at = "2026-11-01T10:01:00Z";
    s.cost_usd = 1.25;
    s.error_message = "boom";
    apply_snapshot(x, s);
    auto again = x;
    auto r = apply_snapshot(again, s);
    BOOST_TEST(!r.changed, word);
    BOOST_TEST(!r.status_changed, word);
    BOOST_TEST((again == x), word);
  }
}

BOOST_AUTO_TEST_CASE(an_empty_value_never_erases_a_stored_one) {
  auto x = stored_job(job_status::running);
  x.provider_status = "processing";
  x.started_at = "2026-11-01T10:01:00Z";
  x.cost_usd = 2.0;
  x.hardware_type = "H100 (80GB)";
  x.error_message = "previous";
  x.output_url = "https://replicate.delivery/x";
  x.config_name = "my-config";
  x.metadata = {{"model", "\"a/b\""}};
  auto before = x;
  auto r = apply_snapshot(x, snapshot("processing"));
  BOOST_TEST(!r.changed);
  BOOST_TEST((x == before));
}

BOOST_AUTO_TEST_CASE(provider_timestamps_are_stored_verbatim) {
  auto x = stored_job(job_status::running);
  auto s = snapshot("succeeded");
  s.started_at = "2026-11-01T10:01:00.500000Z";
  s.completed_at = "2026-11-01T10:31:00.383588891Z";
  auto r = apply_snapshot(x, s);
  BOOST_TEST(r.changed);
  BOOST_TEST(r.status_changed);
  BOOST_TEST(*x.started_at == "2026-11-01T10:01:00.500000Z");
  BOOST_TEST(*x.completed_at == "2026-11-01T10:31:00.383588891Z");
}

BOOST_AUTO_TEST_CASE(a_fresh_snapshot_overwrites_stored_values) {
  auto x = stored_job(job_status::running);
  x.cost_usd = 1.0;
  x.metadata = {{"model", "\"old\""}};
  auto s = snapshot("succeeded");
  s.cost_usd = 3.0;
  s.metadata = {{"model", "\"new\""}, {"version", "\"v\""}};
  apply_snapshot(x, s);
  BOOST_TEST(*x.cost_usd == 3.0);
  BOOST_TEST(x.metadata.at("model") == "\"new\"");
  BOOST_TEST(x.metadata.at("version") == "\"v\"");
}

// `changed` is worked out field by field: every field a snapshot sets
// must count, alone, and a value equal to the stored one must not.
BOOST_AUTO_TEST_CASE(each_field_a_snapshot_sets_counts_as_a_change_alone) {
  std::vector<std::pair<const char*, void (*)(provider_snapshot&)>> edits = {
      {"started_at", [](auto& s) { s.started_at = "2026-11-01T10:01:00Z"; }},
      {"completed_at",
       [](auto& s) { s.completed_at = "2026-11-01T10:31:00Z"; }},
      {"cost_usd", [](auto& s) { s.cost_usd = 0.5; }},
      {"hardware_type", [](auto& s) { s.hardware_type = "H100 (80GB)"; }},
      {"error_message", [](auto& s) { s.error_message = "boom"; }},
      {"output_url", [](auto& s) { s.output_url = "https://x/y.png"; }},
      {"config_name", [](auto& s) { s.config_name = "cfg"; }},
      {"created_at", [](auto& s) { s.created_at = "2026-11-01T09:00:00Z"; }},
      {"new metadata", [](auto& s) { s.metadata["version"] = "\"v\""; }},
      {"other metadata", [](auto& s) { s.metadata["model"] = "\"c/d\""; }},
  };
  for (auto [name, edit] : edits) {
    auto x = stored_job(job_status::running);
    x.provider_status = "processing";
    x.metadata = {{"model", "\"a/b\""}};
    auto s = snapshot("processing");
    s.metadata = x.metadata;
    BOOST_TEST(!apply_snapshot(x, s).changed, name);
    edit(s);
    BOOST_TEST(apply_snapshot(x, s).changed, name);
    BOOST_TEST(!apply_snapshot(x, s).changed, name);
  }
  // A stale snapshot's other value of a stored member is no change.
  auto x = stored_job(job_status::completed);
  x.metadata = {{"model", "\"a/b\""}};
  auto late = snapshot("processing");
  late.metadata = {{"model", "\"c/d\""}};
  BOOST_TEST(!apply_snapshot(x, late).changed);
  BOOST_TEST(x.metadata.at("model") == "\"a/b\"");
}

BOOST_AUTO_TEST_CASE(costs_are_kept_to_a_millionth_of_a_dollar) {
  // 100 s at $0.000972222/s, as binary floating point computes it.
  auto s = snapshot("succeeded");
  s.cost_usd = 0.09722220000000001;
  auto x = job_from_snapshot(s, 0);
  BOOST_TEST(*x.cost_usd == 0.097222);
  // Seeing the same figure again changes nothing.
  auto r = apply_snapshot(x, s);
  BOOST_TEST(!r.changed);
  BOOST_TEST(*x.cost_usd == 0.097222);
  auto running = stored_job(job_status::running);
  apply_snapshot(running, s);
  BOOST_TEST(*running.cost_usd == 0.097222);
}

BOOST_AUTO_TEST_CASE(a_stale_snapshot_only_fills_empty_fields) {
  auto x = stored_job(job_status::completed);
  x.provider_status = "succeeded";
  x.completed_at = "2026-11-01T10:31:00Z";
  x.output_url = "https://replicate.delivery/final";
  x.metadata = {{"model", "\"kept\""}};
  auto s = snapshot("processing");
  s.output_url = "https://replicate.delivery/partial";
  s.started_at = "2026-11-01T10:01:00Z";
  s.metadata = {{"model", "\"late\""}, {"urls", "{}"}};
  auto r = apply_snapshot(x, s);
  BOOST_TEST(!r.status_changed);
  BOOST_TEST(*x.output_url == "https://replicate.delivery/final");
  BOOST_TEST(*x.started_at == "2026-11-01T10:01:00Z");
  BOOST_TEST(x.metadata.at("model") == "\"kept\"");
  BOOST_TEST(x.metadata.at("urls") == "{}");
  BOOST_TEST(*x.provider_status == "succeeded");
}

BOOST_AUTO_TEST_CASE(a_processing_after_succeeded_changes_nothing) {
  auto x = stored_job(job_status::running);
  auto done = snapshot("succeeded");
  done.started_at = "2026-11-01T10:01:00Z";
  done.completed_at = "2026-11-01T10:31:00Z";
  done.output_url = "https://replicate.delivery/final";
  apply_snapshot(x, done);
  auto late = snapshot("processing");
  late.started_at = "2026-11-01T10:01:00Z";
  auto r = apply_snapshot(x, late);
  BOOST_TEST(!r.changed);
  BOOST_TEST((x.status == job_status::completed));
}

BOOST_AUTO_TEST_CASE(a_different_terminal_status_does_not_replace_the_first) {
  auto x = stored_job(job_status::cancelled);
  x.provider_status = "canceled";
  auto s = snapshot("succeeded");
  s.cost_usd = 4.0;
  auto r = apply_snapshot(x, s);
  BOOST_TEST((x.status == job_status::cancelled));
  BOOST_TEST(!r.status_changed);
  BOOST_TEST(*x.cost_usd == 4.0); // the empty cost is filled
}

// A job that succeeded keeps no error from a contradicting "failed".
BOOST_AUTO_TEST_CASE(another_terminal_status_leaves_the_error_message_empty) {
  auto x = stored_job(job_status::completed);
  x.provider_status = "succeeded";
  auto s = snapshot("failed");
  s.error_message = "boom";
  s.hardware_type = "A100";
  auto r = apply_snapshot(x, s);
  BOOST_TEST((x.status == job_status::completed));
  BOOST_TEST(!x.error_message.has_value());
  BOOST_TEST(x.hardware_type.value_or("") == "A100"); // still filled
  BOOST_TEST(r.changed);
}

// "Lost" is jobsync's guess from 404s; the provider's word replaces it.
BOOST_AUTO_TEST_CASE(a_job_declared_lost_takes_the_providers_word) {
  for (std::string word : {"succeeded", "processing", "failed"}) {
    auto x = stored_job(job_status::running);
    note_not_found(x, 1'000'000);
    declare_lost(x, 2'000'000, "Replicate");
    BOOST_REQUIRE(declared_lost(x));
    auto s = snapshot(word);
    if (word == "succeeded")
      s.completed_at = "2026-11-01T11:00:00Z";
    auto r = apply_snapshot(x, s);
    BOOST_TEST_INFO(word);
    BOOST_TEST((x.status == *mapped_word(word)));
    BOOST_TEST(r.status_changed == (word != "failed"));
    BOOST_TEST(r.confirmed);
    BOOST_TEST((x.provider_status == word));
    BOOST_TEST(!x.error_message.has_value());
    BOOST_TEST(!not_found_since(x).has_value());
    BOOST_TEST(!declared_lost(x));
    if (word == "succeeded")
      BOOST_TEST(x.completed_at.value_or("") == "2026-11-01T11:00:00Z");
  }
  // The guess is no terminal status to contradict: an error comes along.
  auto aborted = stored_job(job_status::running);
  note_not_found(aborted, 1'000'000);
  declare_lost(aborted, 2'000'000, "Replicate");
  auto cancelled = snapshot("canceled");
  cancelled.error_message = "aborted before it started";
  apply_snapshot(aborted, cancelled);
  BOOST_TEST((aborted.status == job_status::cancelled));
  BOOST_TEST(aborted.error_message.value_or("") == "aborted before it started");
  // A snapshot without a status says nothing about the job's state.
  auto x = stored_job(job_status::running);
  note_not_found(x, 1'000'000);
  declare_lost(x, 2'000'000, "Replicate");
  apply_snapshot(x, snapshot("hibernating"));
  BOOST_TEST(declared_lost(x));
}

BOOST_AUTO_TEST_CASE(an_unknown_word_is_kept_and_changes_no_status) {
  auto x = stored_job(job_status::running);
  auto r = apply_snapshot(x, snapshot("hibernating"));
  BOOST_TEST((x.status == job_status::running));
  BOOST_TEST(!r.status_changed);
  BOOST_TEST(r.changed);
  BOOST_TEST(*x.provider_status == "hibernating");
}

BOOST_AUTO_TEST_CASE(an_unknown_word_does_not_touch_a_terminal_job) {
  auto x = stored_job(job_status::failed);
  x.provider_status = "failed";
  x.error_message = "oom";
  auto s = snapshot("hibernating");
  s.error_message = "other";
  auto r = apply_snapshot(x, s);
  BOOST_TEST(!r.changed);
  BOOST_TEST(*x.provider_status == "failed");
}

BOOST_AUTO_TEST_CASE(provider_and_external_id_are_filled_once) {
  job x;
  x.job_id = "local-uuid";
  x.status = job_status::uploading;
  x.created_at = "2026-11-01T10:00:00Z";
  auto s = snapshot("starting");
  s.external_id = "pred123";
  apply_snapshot(x, s);
  BOOST_TEST(x.job_id == "local-uuid");
  BOOST_TEST(x.external_id == "pred123");
  BOOST_TEST(*x.provider == "replicate");
  BOOST_TEST((x.status == job_status::queued));
}

// The duration the API shows for a job as it stands, at `now`, in seconds.
std::optional<double> duration_at(const job& x, unix_ms now) {
  auto ms = duration_ms(duration_basis_of(x), now);
  if (!ms)
    return std::nullopt;
  return static_cast<double>(*ms) / 1000.0;
}

BOOST_AUTO_TEST_CASE(duration_counts_from_start_to_completion_or_now) {
  auto x = stored_job(job_status::running);
  BOOST_TEST(!duration_at(x, 0));
  x.started_at = "2026-11-01T10:00:00Z";
  auto start = *parse_rfc3339("2026-11-01T10:00:00Z");
  BOOST_TEST(*duration_at(x, start + 90500) == 90.5);
  x.completed_at = "2026-11-01T10:01:00.250Z";
  x.status = job_status::completed;
  BOOST_TEST(*duration_at(x, start + 999999) == 60.25);
  x.completed_at.reset();
  BOOST_TEST(!duration_at(x, start + 10)); // finished, end unknown
  x.started_at = "garbage";
  BOOST_TEST(!duration_at(x, start));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(merge_instants)

BOOST_AUTO_TEST_CASE(another_precision_of_the_same_instant_is_no_change) {
  job x;
  x.job_id = "p1";
  x.external_id = "p1";
  x.provider = "replicate";
  x.status = job_status::completed;
  x.provider_status = "succeeded";
  x.created_at = "2026-11-01T10:00:00.12Z";
  x.started_at = "2026-11-01T10:00:01.5Z";
  x.completed_at = "2026-11-01T10:30:00.383588891Z";
  provider_snapshot s;
  s.provider = "replicate";
  s.external_id = "p1";
  s.provider_status = "succeeded";
  s.status = job_status::completed;
  s.created_at = "2026-11-01T10:00:00.120000Z";
  s.started_at = "2026-11-01T10:00:01.500Z";
  s.completed_at = "2026-11-01T10:30:00.383588891Z";
  auto r = apply_snapshot(x, s);
  BOOST_TEST(!r.changed);
  BOOST_TEST(x.created_at == "2026-11-01T10:00:00.12Z");
  s.completed_at = "2026-11-01T10:30:00.4Z";
  BOOST_TEST(apply_snapshot(x, s).changed);
}

BOOST_AUTO_TEST_SUITE_END()
