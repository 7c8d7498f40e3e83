// dpip sync and the -v footer.
#include <cinttypes>

#include "cli/dpip/format.h"
#include "cli/dpip/format_common.h"

namespace dplb::dpip {

bool all_in_sync(const SyncData& s) {
  if (s.header.all_in_sync == 0) return false;
  for (const auto& w : s.workers)
    if (w.in_sync == 0) return false;
  return true;
}

std::string format_sync(const SyncData& s, const GlobalOptions& o) {
  if (o.json) {
    JsonWriter j(o.pretty);
    j.begin_object();
    // Digests as hex strings: JSON readers often hold numbers as doubles (53 bits).
    j.member("model_digest", fmt::hex64(s.header.model_digest));
    j.member("all_in_sync", all_in_sync(s));
    j.key("workers");
    j.begin_array();
    for (const auto& w : s.workers) {
      j.begin_object();
      j.member("worker", w.worker);
      j.member("lcore", w.lcore);
      j.member("digest", fmt::hex64(w.digest));
      j.member("in_sync", w.in_sync != 0);
      j.member("replays", w.replays);
      j.end_object();
    }
    j.end_array();
    j.end_object();
    return fmt::finish(j);
  }
  std::string out = "model digest " + fmt::hex64(s.header.model_digest) + "\n";
  for (const auto& w : s.workers) {
    out += "worker " + std::to_string(w.worker) + " lcore " + std::to_string(w.lcore) + " digest " +
           fmt::hex64(w.digest) + " replays " + std::to_string(w.replays) +
           (w.in_sync ? " in sync\n" : " OUT OF SYNC\n");
  }
  return out;
}

std::string format_sync_footer(const SyncData& s) {
  if (all_in_sync(s)) {
    return "sync: all " + std::to_string(s.workers.size()) + " workers agree with the model\n";
  }
  std::string which;
  size_t out_of_sync = 0;
  for (const auto& w : s.workers) {
    if (w.in_sync) continue;
    ++out_of_sync;
    which += (which.empty() ? " " : ", ") + std::string("worker ") + std::to_string(w.worker) + " (lcore " +
             std::to_string(w.lcore) + ")";
  }
  return "sync: " + std::to_string(out_of_sync) + " of " + std::to_string(s.workers.size()) +
         " workers OUT OF SYNC:" + (which.empty() ? std::string(" (the daemon says so)") : which) + "\n";
}

}  // namespace dplb::dpip
