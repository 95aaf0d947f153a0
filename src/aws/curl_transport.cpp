#include "aws/curl_transport.h"

#include <curl/curl.h>
#include <strings.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string_view>

#include "aws/ascii.h"
#include "aws/call_limits.h"
#include "aws/curl_transfer.h"

namespace wc::aws {

namespace {

/// What one transfer accumulates while curl runs its callbacks.
struct Transfer {
  HttpResponse response;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  static_cast<Transfer*>(user)->response.body.append(data, size * count);
  return size * count;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& response = static_cast<Transfer*>(user)->response;
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    // A new status line (after a 100 Continue, say) starts the headers afresh.
    response.headers.clear();
    return line.size();
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    response.headers.emplace_back(std::string(trim(line.substr(0, colon))),
                                  std::string(trim(line.substr(colon + 1))));
  }
  return line.size();
}

TransportErrorKind classify(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
      return TransportErrorKind::connect;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportErrorKind::timeout;
    case CURLE_ABORTED_BY_CALLBACK:
      return TransportErrorKind::cancelled;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return TransportErrorKind::reset;
    default:
      return TransportErrorKind::other;
  }
}

/// Owns the header list handed to curl for one transfer.
struct HeaderList {
  curl_slist* list = nullptr;
  HeaderList() = default;
  HeaderList(const HeaderList&) = delete;
  HeaderList& operator=(const HeaderList&) = delete;
  ~HeaderList() { curl_slist_free_all(list); }
  void add(const std::string& line) {
    curl_slist* grown = curl_slist_append(list, line.c_str());
    if (grown == nullptr) throw std::bad_alloc();
    list = grown;
  }
};

void build_headers(const HttpRequest& request, HeaderList& headers) {
  for (const auto& [name, value] : request.headers) {
    // "Name;" is curl's way to send a header with an empty value ("Name:" would remove it).
    headers.add(value.empty() ? name + ";" : name + ": " + value);
  }
  // Empty values remove headers curl would add on its own: they are not signed, and S3 stores
  // a Content-Type, so only the caller's may reach the server.
  headers.add("Expect:");
  if (request.header("Content-Type").empty()) headers.add("Content-Type:");
}

void set_method_and_body(CURL* curl, const HttpRequest& request) {
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "GET" && request.body.empty()) {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "DELETE" && request.body.empty()) {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "DELETE");
  } else {
    // POSTFIELDS gives an exact Content-Length (0 for an empty PUT) without a read callback;
    // CUSTOMREQUEST then replaces the verb.
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
}

/// The whole transfer's time limit: the configured one, or less when the thread's CallLimits
/// deadline comes first (at least 1 ms: 0 would mean none).
long total_timeout_ms(const CurlTransportOptions& options, const CallLimits& limits) {
  auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(options.total_timeout);
  if (limits.deadline) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(*limits.deadline - CallClock::now());
    timeout = std::clamp(left, std::chrono::milliseconds(1), timeout);
  }
  return static_cast<long>(timeout.count());
}

void set_limits(CURL* curl, const CurlTransportOptions& options, const CallLimits& limits) {
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // timeouts must not use signals in threads
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, total_timeout_ms(options, limits));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, options.low_speed_bytes_per_second);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(options.low_speed_window.count()));
  curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, options.receive_buffer_bytes);
  curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  // S3 keys may contain "/../" or "//"; the signature covers the path exactly as written.
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
  // An endpoint from configuration must not turn into file:// or another protocol.
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
}

/// One request's transfer: what curl is given (kept alive until it is done) and what it fills.
struct Exchange {
  std::string url;
  HeaderList headers;
  Transfer transfer;
  char error_buffer[CURL_ERROR_SIZE] = {};

  void prepare(CURL* curl, const HttpRequest& request, const CurlTransportOptions& options,
               const CallLimits& limits) {
    // Reset forgets the last request's options but keeps the open connection.
    curl_easy_reset(curl);
    url = request.url();
    build_headers(request, headers);
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
    set_method_and_body(curl, request);
    set_limits(curl, options, limits);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  }

  TransportResult finish(CURL* curl, CURLcode code, const HttpRequest& request,
                         std::atomic<std::uint64_t>& connections_opened) {
    long connects = 0;
    if (curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK && connects > 0) {
      connections_opened += static_cast<std::uint64_t>(connects);
    }
    // The buffer dies with this exchange; curl must not keep pointing at it.
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
    if (code != CURLE_OK) {
      std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
      return util::Unexpected(
          TransportError{classify(code), request.method + " " + url + ": " + detail});
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &transfer.response.status);
    return std::move(transfer.response);
  }
};

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw std::runtime_error("curl_global_init failed");
    }
  });
}

}  // namespace

CurlTransport::CurlTransport(CurlTransportOptions options) : options_(std::move(options)) {
  global_init_once();
}

CurlTransport::~CurlTransport() = default;

std::unique_ptr<CurlTransfer> CurlTransport::acquire(
    std::vector<std::unique_ptr<CurlTransfer>>& idle, CurlDrive drive) {
  {
    std::lock_guard lock(mutex_);
    if (!idle.empty()) {
      std::unique_ptr<CurlTransfer> transfer = std::move(idle.back());
      idle.pop_back();
      return transfer;
    }
  }
  return std::make_unique<CurlTransfer>(drive);
}

void CurlTransport::release(std::vector<std::unique_ptr<CurlTransfer>>& idle,
                            std::unique_ptr<CurlTransfer> transfer, std::size_t keep) {
  std::lock_guard lock(mutex_);
  if (idle.size() < keep) idle.push_back(std::move(transfer));
}

TransportResult CurlTransport::send(const HttpRequest& request) {
  std::unique_ptr<CurlTransfer> handle = acquire(idle_, CurlDrive::one);
  const CallLimits& limits = current_call_limits();
  Exchange exchange;
  exchange.prepare(handle->easy(), request, options_, limits);
  const CURLcode code = handle->perform(limits.cancel, limits.deadline);
  TransportResult result = exchange.finish(handle->easy(), code, request, connections_opened_);
  release(idle_, std::move(handle), options_.max_idle_handles);
  return result;
}

std::vector<TransportResult> CurlTransport::send_all(
    const std::vector<const HttpRequest*>& requests) {
  if (requests.size() <= 1) return HttpTransport::send_all(requests);
  std::unique_ptr<CurlTransfer> batch = acquire(idle_batches_, CurlDrive::many);
  batch->grow(requests.size());
  const CallLimits& limits = current_call_limits();
  // Built in place and never moved: curl keeps pointers into each exchange until it is done.
  std::vector<Exchange> exchanges(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    exchanges[i].prepare(batch->easy(i), *requests[i], options_, limits);
  }
  const std::vector<CURLcode>& codes =
      batch->perform_all(requests.size(), limits.cancel, limits.deadline);
  std::vector<TransportResult> results;
  results.reserve(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    results.push_back(
        exchanges[i].finish(batch->easy(i), codes[i], *requests[i], connections_opened_));
  }
  release(idle_batches_, std::move(batch), k_max_idle_batches);
  return results;
}

}  // namespace wc::aws
