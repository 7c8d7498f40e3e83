// The metrics endpoint's content: every dplb_* family (docs/operations.md, "Metrics"), read from the
// model and the workers' counters (relaxed loads: the workers pay nothing for a scrape).
#pragma once

#include <string>

#include "control/metrics_server.h"

namespace dplb::dp {

class ControlPlane;

// One scrape's exposition text. `endpoint` is the metrics server's own counters (null: none).
std::string render_metrics(ControlPlane& cp, const MetricsServer::Stats* endpoint);

}  // namespace dplb::dp
