// A loopback HTTP proxy that makes every call take LATENCY_MS ± JITTER_MS, as a call to AWS
// does, in front of a benchmark server that answers at once (bench/latency.py starts it).
//
//   node latency_proxy.mjs --port P --upstream http://127.0.0.1:U [--latency-ms 20] [--jitter-ms 5]
//
// The request (method, path and query, headers in their order and case, Host as the client
// sent it so a SigV4 signature still holds, body byte for byte) is forwarded at once over a
// kept-alive upstream connection; the answer goes back when the call's delay (drawn uniformly
// from latency ± jitter when its request arrived) is over, or when the upstream answers if
// that is later. Client connections are kept alive too. Bodies are small: both ways they are
// read whole and sent with a Content-Length, nothing is streamed.
//
// GET /__latency_proxy/stats (no bucket may be named so) answers the counters as JSON: calls,
// the sum of the latencies clients saw, the most calls in flight at once, upstream errors,
// this process's CPU seconds. Not counted as a call and not delayed. With ?reset-max the most
// in flight starts again from the calls in flight now (a row's own peak).
import http from "node:http";
import { parseArgs } from "node:util";

const { values: options } = parseArgs({
  options: {
    port: { type: "string" },
    upstream: { type: "string" },
    "latency-ms": { type: "string", default: "20" },
    "jitter-ms": { type: "string", default: "5" },
  },
});
const latencyMs = Number(options["latency-ms"]);
const jitterMs = Number(options["jitter-ms"]);
const upstream = new URL(options.upstream);
const STATS_PATH = "/__latency_proxy/stats";

// Hop-by-hop headers belong to one connection, not to the call; the length is set anew
// because the body is sent whole.
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding",
  "te", "trailer", "upgrade", "expect", "content-length"]);

// Enough sockets that the agent never queues a call behind another (the consumer's
// --concurrency 512 is the most the bench asks for).
const agent = new http.Agent({ keepAlive: true, maxSockets: 4096, maxFreeSockets: 4096,
  scheduling: "lifo" });

const stats = { calls: 0, latency_ms_sum: 0, in_flight: 0, max_in_flight: 0, errors: 0 };

function endToEnd(rawHeaders, bodyLength) {
  const kept = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (!HOP_BY_HOP.has(rawHeaders[i].toLowerCase())) kept.push(rawHeaders[i], rawHeaders[i + 1]);
  }
  if (bodyLength !== null) kept.push("Content-Length", String(bodyLength));
  return kept;
}

function readBody(stream, done) {
  const chunks = [];
  stream.on("data", (chunk) => chunks.push(chunk));
  stream.on("end", () => done(Buffer.concat(chunks)));
}

function answerStats(request, response) {
  if (request.url.endsWith("?reset-max")) stats.max_in_flight = stats.in_flight;
  const cpu = process.cpuUsage();
  const body = JSON.stringify({ ...stats, cpu_s: (cpu.user + cpu.system) / 1e6,
    latency_ms: latencyMs, jitter_ms: jitterMs, upstream: upstream.href });
  response.writeHead(200, { "Content-Type": "application/json" });
  response.end(body);
}

function proxy(request, response) {
  const arrived = performance.now();
  const dueAt = arrived + latencyMs + (2 * Math.random() - 1) * jitterMs;
  stats.in_flight += 1;
  stats.max_in_flight = Math.max(stats.max_in_flight, stats.in_flight);
  const finish = (status, headers, body) => {
    const send = () => {
      response.writeHead(status, headers);
      response.end(body);
      stats.in_flight -= 1;
      stats.calls += 1;
      stats.latency_ms_sum += performance.now() - arrived;
    };
    const wait = dueAt - performance.now();
    if (wait > 0) setTimeout(send, wait);
    else send();
  };
  readBody(request, (body) => {
    const hasBody = body.length > 0 || request.headers["content-length"] !== undefined;
    const forwarded = http.request({
      agent, host: upstream.hostname, port: upstream.port, method: request.method,
      path: request.url, headers: endToEnd(request.rawHeaders, hasBody ? body.length : null),
      setHost: false,
    });
    forwarded.on("response", (answer) => {
      readBody(answer, (answerBody) => {
        const length = request.method === "HEAD" || answer.statusCode === 204 ||
          answer.statusCode === 304 ? answer.headers["content-length"] ?? null : answerBody.length;
        finish(answer.statusCode, endToEnd(answer.rawHeaders, length), answerBody);
      });
    });
    forwarded.on("error", (error) => {
      stats.errors += 1;
      finish(502, { "Content-Type": "text/plain" }, `latency proxy: ${upstream.href}: ${error.message}\n`);
    });
    forwarded.end(body);
  });
}

const server = http.createServer({ keepAlive: true, requestTimeout: 0, maxHeaderSize: 65536 },
  (request, response) => {
    if (request.method === "GET" && request.url.split("?")[0] === STATS_PATH) {
      answerStats(request, response);
    } else {
      proxy(request, response);
    }
  });
server.keepAliveTimeout = 120_000; // longer than any client keeps an idle connection
server.headersTimeout = 125_000;
server.maxRequestsPerSocket = 0;
server.listen(Number(options.port), "127.0.0.1", () => {
  console.log(`latency proxy on 127.0.0.1:${options.port} -> ${upstream.href}, ` +
    `${latencyMs} ms ± ${jitterMs} ms`);
});

for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
