#include "app/signals.h"

#include <csignal>

namespace wc::app {

namespace {

consumer::StopFlag* g_stop_flag = nullptr;

extern "C" void on_stop_signal(int) {
  if (g_stop_flag != nullptr) g_stop_flag->request_stop();
}

}  // namespace

void stop_on_signals(consumer::StopFlag& flag) {
  g_stop_flag = &flag;
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  // SA_RESETHAND: a second signal takes the default action, so an impatient user can still
  // kill it; crash safety makes that harmless.
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

}  // namespace wc::app
