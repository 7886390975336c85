#include "tools/replicate-sim/training_logs.hpp"

#include "tools/replicate-sim/seeded.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace jobsync::sim {

namespace {

constexpr int prep_lines = 14;

// Offsets are fractions of the full run: 5% setup, 90% steps, 5% slack
// for the closing lines.
nanos prep_offset(const log_script& s, int i) {
  return static_cast<nanos>(static_cast<double>(s.full_run) * 0.05 * i
                            / prep_lines);
}

int stride(const log_script& s) {
  return std::max(1, s.steps / 100);
}

int group_count(const log_script& s) {
  return (s.steps + stride(s) - 1) / stride(s);
}

int group_step(const log_script& s, int g) {
  return std::min(g * stride(s), s.steps);
}

nanos step_offset(const log_script& s, double step) {
  auto p = static_cast<double>(s.full_run);
  return static_cast<nanos>(p * 0.05 + p * 0.9 * step / s.steps);
}

// How many items of an increasing offset sequence are <= elapsed.
template <class Offset>
int count_until(int n, nanos elapsed, Offset offset) {
  int lo = 0, hi = n;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (offset(mid) <= elapsed)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

int prep_count(const log_script& s, nanos elapsed) {
  return count_until(prep_lines, elapsed,
                     [&](int i) { return prep_offset(s, i); });
}

int groups_emitted(const log_script& s, nanos elapsed, bool allow_last) {
  int total = group_count(s) - (allow_last ? 0 : 1);
  if (total <= 0)
    return 0;
  return count_until(total, elapsed, [&](int i) {
    return step_offset(s, group_step(s, i + 1));
  });
}

int epochs(const log_script& s) {
  return std::clamp(s.steps / 100, 1, 10);
}

int images(const log_script& s) {
  return 24 + static_cast<int>(hash_combine(s.seed, "images") % 176);
}

double loss_at(const log_script& s, int step) {
  double x = static_cast<double>(step) / s.steps;
  double noise = uniform(hash_combine(s.seed, static_cast<uint64_t>(step)),
                         -0.015, 0.015);
  return 0.045 + 0.21 * std::exp(-3.2 * x) + noise;
}

double lr_at(const log_script& s, int step) {
  int warmup = std::max(1, s.steps / 10);
  if (step < warmup)
    return 1e-4 * step / warmup;
  double x = static_cast<double>(step - warmup) / std::max(1, s.steps - warmup);
  return 1e-4 * 0.5 * (1 + std::cos(3.141592653589793 * x));
}

std::string clock_text(double seconds) {
  auto total = static_cast<long long>(seconds < 0 ? 0 : seconds);
  if (total >= 3600)
    return fmt::format("{}:{:02}:{:02}", total / 3600, total / 60 % 60,
                       total % 60);
  return fmt::format("{:02}:{:02}", total / 60, total % 60);
}

// tqdm's ASCII bar: ten cells of '#', the partial cell as a digit.
std::string bar(int step, int steps) {
  double frac = static_cast<double>(step) / steps;
  int tenths = static_cast<int>(frac * 100);
  std::string out(static_cast<size_t>(tenths / 10), '#');
  if (out.size() < 10 && tenths % 10 != 0)
    out += static_cast<char>('0' + tenths % 10);
  out.resize(10, ' ');
  return out;
}

std::string tqdm_line(const log_script& s, int step) {
  int e = epochs(s);
  int per_epoch = (s.steps + e - 1) / e;
  int epoch = std::min(e, (std::max(step, 1) - 1) / per_epoch + 1);
  double elapsed
      = static_cast<double>(step_offset(s, step) - step_offset(s, 0)) / 1e9;
  double rate = elapsed > 0 ? step / elapsed : 0.0;
  double remaining = rate > 0 ? (s.steps - step) / rate : 0.0;
  int pct = static_cast<int>(100.0 * step / s.steps);
  return fmt::format("Epoch {}/{}, Steps: {:3}%|{}| {}/{} [{}<{}, {:5.2f}it/s, "
                     "loss={:.4f}]",
                     epoch, e, pct, bar(step, s.steps), step, s.steps,
                     clock_text(elapsed), clock_text(remaining), rate,
                     loss_at(s, step));
}

std::string prep_text(const log_script& s, int i) {
  auto n = images(s);
  switch (i) {
  case 0:
    return "Setting up environment (torch 2.5.1+cu124, CUDA 12.4, 1 GPU)\n";
  case 1:
    return "Loading configuration from /tmp/job/config/config.json\n";
  case 2:
    return fmt::format("Model: {} | family: flux | type: lora "
                       "(rank 16, alpha 16)\n",
                       s.model);
  case 3:
    return fmt::format("Downloading dataset archive ({:.1f} MB)...\n",
                       uniform(hash_combine(s.seed, "archive"), 40.0, 900.0));
  case 4:
    return fmt::format("Extracted {} images and {} captions to "
                       "/tmp/job/datasets/default\n",
                       n, n);
  case 5:
    return "Loading base model weights from cache\n";
  case 6:
    return fmt::format("Loaded base model in {:.1f}s\n",
                       uniform(hash_combine(s.seed, "load"), 8.0, 60.0));
  case 7:
    return "Preprocessing: caching text embeddings\n";
  case 8:
    return fmt::format("Caching text embeds: 100%|##########| {}/{} "
                       "[00:03<00:00, {:5.2f}it/s]\n",
                       n, n, n / 3.2);
  case 9:
    return "Preprocessing: caching VAE latents\n";
  case 10:
    return fmt::format("Caching latents: 100%|##########| {}/{} "
                       "[00:11<00:00, {:5.2f}it/s]\n",
                       n, n, n / 11.4);
  case 11:
    return fmt::format("Optimizer: AdamW (lr=1.0e-04, weight_decay=1.0e-02)"
                       ", warmup {} steps\n",
                       std::max(1, s.steps / 10));
  case 12:
    return "***** Running training *****\n";
  default:
    return fmt::format("  Num examples = {} | Num Epochs = {} | Total "
                       "optimization steps = {}\n",
                       n, epochs(s), s.steps);
  }
}

std::string group_text(const log_script& s, int g) {
  int step = group_step(s, g);
  int prev = group_step(s, g - 1);
  std::string out;
  // tqdm redraws the bar in place; captured output keeps the carriage
  // returns of intermediate redraws on the same line.
  if (g > 1 && hash_combine(s.seed, static_cast<uint64_t>(g)) % 3 == 0
      && step - prev > 1)
    out += tqdm_line(s, prev + (step - prev) / 2) + "\r";
  out += tqdm_line(s, step) + "\n";
  if (g % 2 == 0 || step == s.steps)
    out += fmt::format("Step {}/{} - loss: {:.4f} - lr: {:.6f}\n", step,
                       s.steps, loss_at(s, step), lr_at(s, step));
  int quarter = std::max(1, s.steps / 4);
  if (step < s.steps && step / quarter > prev / quarter) {
    out += fmt::format("Running validation at step {}\n", step);
    out += fmt::format("Validation loss: {:.4f}\n", loss_at(s, step) + 0.012);
    out += fmt::format("Saving checkpoint at step {} to "
                       "/src/output/checkpoint-{}\n",
                       step, step);
  }
  return out;
}

std::string ending_text(const log_script& s, nanos elapsed, log_ending ending) {
  if (ending == log_ending::succeeded)
    return fmt::format("Training complete in {}.\n"
                       "Saving final weights to /src/output/lora.safetensors\n"
                       "Uploading output ({:.1f} MB)...\n"
                       "Upload complete.\n",
                       clock_text(static_cast<double>(elapsed) / 1e9),
                       uniform(hash_combine(s.seed, "weights"), 20.0, 350.0));
  return "Traceback (most recent call last):\n"
         "  File \"/src/train.py\", line 412, in run\n"
         "    trainer.train()\n"
         "  File \"/src/helpers/training/trainer.py\", line 2315, in train\n"
         "    self.accelerator.backward(loss)\n"
         + failure_message(s.seed) + "\n";
}

} // namespace

void generate_logs(const log_script& script, nanos elapsed,
                   bool allow_last_step, log_ending ending,
                   const std::function<void(nanos, std::string_view)>& visit) {
  if (script.steps <= 0 || elapsed < 0)
    return;
  int prep = prep_count(script, elapsed);
  for (int i = 0; i < prep; ++i)
    visit(prep_offset(script, i), prep_text(script, i));
  int groups = groups_emitted(script, elapsed, allow_last_step);
  for (int g = 1; g <= groups; ++g)
    visit(step_offset(script, group_step(script, g)), group_text(script, g));
  if (ending != log_ending::none)
    visit(elapsed, ending_text(script, elapsed, ending));
}

size_t count_log_chunks(const log_script& script, nanos elapsed,
                        bool allow_last_step, log_ending ending) {
  if (script.steps <= 0 || elapsed < 0)
    return 0;
  return static_cast<size_t>(prep_count(script, elapsed)
                             + groups_emitted(script, elapsed, allow_last_step))
         + (ending != log_ending::none ? 1 : 0);
}

std::string failure_message(uint64_t seed) {
  static constexpr const char* messages[] = {
      "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. "
      "GPU 0 has a total capacity of 79.10 GiB of which 1.21 GiB is free.",
      "RuntimeError: Loss is NaN; training diverged. Lower the learning rate "
      "or enable gradient clipping.",
      "ValueError: Dataset 'default' has no usable images after filtering "
      "(minimum_image_size=1024).",
      "RuntimeError: Expected all tensors to be on the same device, but found "
      "at least two devices, cuda:0 and cpu!",
  };
  return messages[hash_combine(seed, "failure") % 4];
}

} // namespace jobsync::sim
