// Replays the pipeline fuzz target's corpus (tests/fuzz/corpus/pipeline) through its entry in the
// normal build: each file on a fresh worker, its output checked, no mbuf left behind.
//   pipeline_replay DIR|FILE...    exit 0 when every input passes
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../../fuzz/pipeline_entry.h"

namespace {

int replay_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string why = dplb::dp::fuzz::check_pipeline(data.data(), data.size());
  if (why.empty()) return 0;
  std::fprintf(stderr, "%s: %s\n", path.c_str(), why.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
    return 2;
  }
  std::string why = dplb::dp::fuzz::pipeline_init();
  if (!why.empty()) {
    std::fprintf(stderr, "pipeline_replay: %s\n", why.c_str());
    dplb::dp::fuzz::pipeline_shutdown();
    return 1;
  }
  int failed = 0;
  size_t n = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path p(argv[i]);
    if (std::filesystem::is_directory(p)) {
      for (const auto& f : std::filesystem::directory_iterator(p)) failed += replay_file(f.path()), ++n;
    } else {
      failed += replay_file(p), ++n;
    }
  }
  // An empty input is a worker set up and torn down: it must pass as well.
  if (std::string e = dplb::dp::fuzz::check_pipeline(nullptr, 0); !e.empty()) {
    std::fprintf(stderr, "empty input: %s\n", e.c_str());
    ++failed;
  }
  dplb::dp::fuzz::pipeline_shutdown();
  std::printf("pipeline_replay: %zu inputs, %d failed\n", n, failed);
  return failed == 0 && n > 0 ? 0 : 1;
}
