#include "pipeline_entry.h"

#include <vector>

#include "datapath_fixture.h"
#include "packets.h"

namespace dplb::dp::fuzz {
namespace {

using namespace fixture::topo;
using fixture::Bytes;
using fixture::kTcpAck;
using fixture::kTcpSyn;

// One worker for the process (tests/datapath/datapath_fixture.h): its construction costs far more
// than an input, so each input resets it instead.
fixture::DatapathFixture g_datapath;
bool g_started = false;

// One frame through the pipeline, its output checked and sent.
std::string deliver(uint16_t port, const uint8_t* data, size_t len) {
  std::string why = g_datapath.inject(port, {data, len});
  (void)g_datapath.take_transmitted();
  return why;
}

// The connections every input starts with, made by frames through the pipeline. 40000:
// established (round robin gives it the first server, 10.1.0.11), 40001: SYN only, UDP 5353.
const std::vector<fixture::Frame>& setup_frames() {
  const fixture::L2 from_client{kPortMac[kClientPort], kClientMac};
  const fixture::L2 from_rs1{kPortMac[kServerPort], kRs1Mac};
  static const std::vector<fixture::Frame> frames = {
      {kClientPort, fixture::tcp_frame(from_client, {.src = kClient, .dst = kVip, .id = 1, .frag_off = 0},
                                       {.sport = 40000, .dport = 80, .flags = kTcpSyn, .seq = 1000})},
      {kServerPort, fixture::tcp_frame(from_rs1, {.src = kRs1, .dst = kClient, .id = 1, .frag_off = 0},
                                       {.sport = kHttpRsPort, .dport = 40000, .flags = kTcpSyn | kTcpAck,
                                        .seq = 5000, .ack = 1001})},
      {kClientPort, fixture::tcp_frame(from_client, {.src = kClient, .dst = kVip, .id = 1, .frag_off = 0},
                                       {.sport = 40000, .dport = 80, .flags = kTcpAck, .seq = 1001, .ack = 5001})},
      {kClientPort, fixture::tcp_frame(from_client, {.src = kClient, .dst = kVip, .id = 1, .frag_off = 0},
                                       {.sport = 40001, .dport = 80, .flags = kTcpSyn, .seq = 7000})},
      {kClientPort, fixture::udp_frame(from_client, {.src = kClient, .dst = kVip, .id = 1, .frag_off = 0},
                                       {.sport = 5353, .dport = 53, .payload = {'p', 'i', 'n', 'g'}})},
  };
  return frames;
}

// The worker as configured, with its setup connections: the same state for every input.
std::string reset_worker() {
  if (std::string why = g_datapath.reset(); !why.empty()) return why;
  for (const fixture::Frame& f : setup_frames())
    if (std::string why = deliver(f.port, f.bytes.data(), f.bytes.size()); !why.empty()) return why;
  if (g_datapath.connections() != 3)
    return "setup made " + std::to_string(g_datapath.connections()) + " connections, not 3";
  return "";
}

}  // namespace

std::string pipeline_init() {
  if (g_started) return "";
  fixture::DatapathFixture::Options options;
  options.name = "dplb_fuzz";
  std::string why = g_datapath.start(options);
  g_started = why.empty();
  return why;
}

std::string check_pipeline(const uint8_t* data, size_t size) {
  if (std::string why = reset_worker(); !why.empty()) return "worker setup: " + why;
  std::string why;
  size_t pos = 0;
  for (size_t n = 0; n < kMaxFrames && pos < size; ++n) {
    uint16_t port = data[pos] & 1;
    size_t len = pos + 2 < size ? size_t(data[pos + 1]) | size_t(data[pos + 2]) << 8 : 0;
    pos = std::min(pos + 3, size);
    len = std::min(len, size - pos);
    why = deliver(port, data + pos, len);
    if (!why.empty()) break;
    pos += len;
  }
  if (why.empty()) why = g_datapath.check_connections();
  std::string leak = g_datapath.release_and_check_pools();
  return why.empty() ? leak : why;
}

void pipeline_shutdown() {
  g_datapath.stop();
  g_started = false;
}

}  // namespace dplb::dp::fuzz
