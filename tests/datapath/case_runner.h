// Table-driven datapath cases (in the style of Katran's lib/testing fixtures): each case gives its
// input frames and either the exact frames the worker must transmit or the drop reasons that must
// be counted, optionally after a setup tweak. The cases_*.cc files hold the tables and instantiate
// DatapathCase with them; every case starts from DatapathFixture::reset().
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "datapath_fixture.h"
#include "packets.h"

namespace dplb::dp::fixture {

struct PacketCase {
  std::string name;  // the test's name: letters, digits and underscores
  std::string description;
  std::vector<Frame> input;
  // Exact frames, in the order of the inputs that caused them (for one input, port 0's first).
  std::vector<Frame> expected_output;
  // Each entry: one packet dropped with this reason. Every other drop counter must stay still.
  std::vector<DropReason> expected_drops;
  std::function<void(DatapathFixture&)> setup;  // optional tweak before the input
};

void PrintTo(const PacketCase& c, std::ostream* os);
void PrintTo(const Frame& f, std::ostream* os);
std::string case_name(const ::testing::TestParamInfo<PacketCase>& info);

class DatapathCase : public ::testing::TestWithParam<PacketCase> {};

}  // namespace dplb::dp::fixture
