#pragma once
// SIGINT and SIGTERM ask the consumer to stop gracefully; a second one stops it at once.

#include "consumer/stop_flag.h"

namespace wc::app {

/// Installs the handlers; `flag` must outlive the process's use of them.
void stop_on_signals(consumer::StopFlag& flag);

}  // namespace wc::app
