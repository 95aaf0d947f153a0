"""The deployment examples in deploy/ hold together, checked with the tools Debian has:

 * every WIDGET_CONSUMER_* variable they set is one the built binary lists in --help;
 * the ECS task definition and service are what Fargate takes (awsvpc, a valid cpu/memory
   pair, task role, awslogs, 2 tasks, an SQS source), and its health check command really
   answers against a running consumer;
 * the Kubernetes manifests agree with each other and with the image (service account for
   IRSA, probes on the metrics port, the image's uid, a KEDA ScaledObject on the same queue);
 * the systemd unit passes `systemd-analyze verify` without a word and `systemd-analyze
   security` rates it well exposed at most 2.0.

PyYAML comes with moto (through responses)."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import unittest
from pathlib import Path

import yaml

import wc_harness as h

DEPLOY = h.REPO_ROOT / "deploy"
VARIABLE_RE = re.compile(r"\bWIDGET_CONSUMER_[A-Z_]+\b")
# Fargate's cpu units and the memory (MiB) each allows (the small sizes).
FARGATE_MEMORY = {"256": {"512", "1024", "2048"},
                  "512": {str(m) for m in range(1024, 4097, 1024)},
                  "1024": {str(m) for m in range(2048, 8193, 1024)}}
K_MAX_EXPOSURE = 2.0
K_SPEC_STOP_S = 2  # SPEC §2: a graceful stop within 2 s


def dockerfile_settings() -> tuple[dict[str, str], str]:
    """The runtime stage's ENV variables and its USER."""
    text = (h.REPO_ROOT / "Dockerfile").read_text()
    runtime = text[text.rindex("\nFROM "):]
    env = dict(re.findall(r"(WIDGET_CONSUMER_[A-Z_]+)=(\S+)", runtime))
    user = re.search(r"^USER (\S+)", runtime, re.M).group(1)
    return env, user


def help_variables() -> set[str]:
    result = subprocess.run([str(h.consumer_bin()), "--help"], capture_output=True, text=True,
                            check=True)
    return set(VARIABLE_RE.findall(result.stdout))


def env_list(entries: list[dict]) -> dict[str, str]:
    return {entry["name"]: entry["value"] for entry in entries}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class EveryVariableExists(unittest.TestCase):
    def test_deploy_files_and_the_dockerfile_use_only_real_variables(self):
        known = help_variables()
        self.assertIn("WIDGET_CONSUMER_REQUEST_QUEUE", known)
        files = [p for p in DEPLOY.rglob("*") if p.is_file()] + [h.REPO_ROOT / "Dockerfile"]
        for path in files:
            for name in set(VARIABLE_RE.findall(path.read_text())):
                self.assertIn(name, known, f"{path.relative_to(h.REPO_ROOT)} sets {name}, which "
                              "widget-consumer --help does not list")


class EcsExample(h.ConsumerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.task = json.loads((DEPLOY / "ecs/task-definition.json").read_text())
        cls.service = json.loads((DEPLOY / "ecs/service.json").read_text())
        cls.container = cls.task["containerDefinitions"][0]

    def test_task_definition_is_a_fargate_task_with_a_role_and_awslogs(self):
        task = self.task
        self.assertEqual(task["requiresCompatibilities"], ["FARGATE"])
        self.assertEqual(task["networkMode"], "awsvpc")
        self.assertIn(task["memory"], FARGATE_MEMORY[task["cpu"]], "not a Fargate size")
        for role in ("taskRoleArn", "executionRoleArn"):
            self.assertRegex(task[role], r"^arn:aws:iam::\d{12}:role/")
        container = self.container
        self.assertTrue(container["essential"])
        logs = container["logConfiguration"]
        self.assertEqual(logs["logDriver"], "awslogs")
        self.assertLessEqual({"awslogs-group", "awslogs-region", "awslogs-stream-prefix"},
                             set(logs["options"]))
        env = env_list(container["environment"])
        self.assertIn("WIDGET_CONSUMER_REQUEST_QUEUE", env, "an SQS source")
        self.assertEqual(env["AWS_REGION"], logs["options"]["awslogs-region"])
        image_env, _ = dockerfile_settings()
        port = int(env.get("WIDGET_CONSUMER_METRICS_PORT",
                           image_env["WIDGET_CONSUMER_METRICS_PORT"]))
        self.assertIn(port, [m["containerPort"] for m in container["portMappings"]])
        self.assertTrue(K_SPEC_STOP_S < container["stopTimeout"] <= 120)

    def test_service_runs_two_fargate_tasks_of_that_family(self):
        service = self.service
        self.assertEqual(service["desiredCount"], 2)
        self.assertEqual(service["launchType"], "FARGATE")
        self.assertEqual(service["taskDefinition"], self.task["family"])
        self.assertTrue(service["networkConfiguration"]["awsvpcConfiguration"]["subnets"])

    def test_health_check_command_answers_against_a_running_consumer(self):
        command = self.container["healthCheck"]["command"]
        self.assertEqual(command[0], "CMD")
        image_env, _ = dockerfile_settings()
        image_port = image_env["WIDGET_CONSUMER_METRICS_PORT"]
        self.assertIn(f"/{image_port} ", command[-1] + " ")
        self.assertIn("/healthz", command[-1])
        work = self.workdir()
        (work.root / "r").mkdir()
        port = free_port()
        consumer = self.start_consumer(
            ["--requests-dir", work.root / "r", "--widgets-dir", work.root / "w", "--metrics-port",
             port, "--no-progress"] + work.log_dir_args(),
            work, h.consumer_env(work, key_id=None, secret=None))
        check = command[1:-1] + [command[-1].replace(f"/{image_port} ", f"/{port} ")]
        h.wait_until(lambda: subprocess.run(check, capture_output=True).returncode == 0, 10,
                     0.05, "the ECS health check to pass")
        consumer.send(signal.SIGTERM)
        self.assert_exit(consumer.wait(h.K_GRACEFUL_STOP_S), 0)
        self.assertNotEqual(subprocess.run(check, capture_output=True).returncode, 0,
                            "the health check passes with nothing listening")


class KubernetesExample(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.objects = {}
        for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
            for document in yaml.safe_load_all(path.read_text()):
                cls.objects[(document["kind"], document["metadata"]["name"])] = document
        cls.deployment = cls.objects[("Deployment", "widget-consumer")]
        cls.pod = cls.deployment["spec"]["template"]["spec"]
        cls.container = cls.pod["containers"][0]
        cls.env = env_list(cls.container["env"])

    def test_every_object_is_in_one_namespace(self):
        namespaces = {o["metadata"].get("namespace") for o in self.objects.values()}
        self.assertEqual(len(namespaces), 1, namespaces)

    def test_deployment_runs_as_the_irsa_service_account(self):
        self.assertEqual(self.deployment["apiVersion"], "apps/v1")
        account = self.objects[("ServiceAccount", self.pod["serviceAccountName"])]
        self.assertRegex(account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"],
                         r"^arn:aws:iam::\d{12}:role/")
        selector = self.deployment["spec"]["selector"]["matchLabels"]
        labels = self.deployment["spec"]["template"]["metadata"]["labels"]
        self.assertLessEqual(selector.items(), labels.items())

    def test_probes_and_scrape_use_the_metrics_port(self):
        port = int(self.env["WIDGET_CONSUMER_METRICS_PORT"])
        ports = {p["name"]: p["containerPort"] for p in self.container["ports"]}
        self.assertEqual(ports["metrics"], port)
        for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
            get = self.container[probe]["httpGet"]
            self.assertEqual(get["path"], path)
            self.assertIn(get["port"], ("metrics", port))
        annotations = self.deployment["spec"]["template"]["metadata"]["annotations"]
        self.assertEqual(annotations["prometheus.io/port"], str(port))
        self.assertEqual(annotations["prometheus.io/path"], "/metrics")

    def test_pod_runs_as_the_images_user_with_resources_and_time_to_stop(self):
        _, user = dockerfile_settings()
        security = self.pod["securityContext"]
        self.assertTrue(security["runAsNonRoot"])
        self.assertEqual(f"{security['runAsUser']}:{security['runAsGroup']}", user)
        self.assertTrue(self.container["securityContext"]["readOnlyRootFilesystem"])
        resources = self.container["resources"]
        self.assertLessEqual({"cpu", "memory"}, set(resources["requests"]))
        self.assertIn("memory", resources["limits"])
        self.assertGreater(self.pod["terminationGracePeriodSeconds"], K_SPEC_STOP_S)

    def test_keda_scales_the_deployment_on_its_own_queue(self):
        scaled = self.objects[("ScaledObject", "widget-consumer")]
        self.assertEqual(scaled["apiVersion"], "keda.sh/v1alpha1")
        self.assertEqual(scaled["spec"]["scaleTargetRef"]["name"],
                         self.deployment["metadata"]["name"])
        self.assertGreaterEqual(scaled["spec"]["minReplicaCount"], 1)
        trigger = scaled["spec"]["triggers"][0]
        self.assertEqual(trigger["type"], "aws-sqs-queue")
        metadata = trigger["metadata"]
        self.assertTrue(metadata["queueURL"].endswith("/" + self.env["WIDGET_CONSUMER_REQUEST_QUEUE"]))
        self.assertEqual(metadata["awsRegion"], self.env["AWS_REGION"])
        self.assertGreater(int(metadata["queueLength"]), 0)
        auth = self.objects[("TriggerAuthentication", trigger["authenticationRef"]["name"])]
        self.assertEqual(auth["spec"]["podIdentity"]["provider"], "aws")


class SystemdExample(unittest.TestCase):
    UNIT = DEPLOY / "systemd/widget-consumer.service"

    def unit_with_built_binary(self) -> Path:
        """The unit in a temporary directory, starting the binary under test (verify wants
        ExecStart to exist)."""
        directory = Path(tempfile.mkdtemp(prefix="wc-unit-"))
        self.addCleanup(shutil.rmtree, directory, True)
        unit = directory / self.UNIT.name
        unit.write_text(self.UNIT.read_text().replace("/usr/local/bin/widget-consumer",
                                                      str(h.consumer_bin())))
        return unit

    def systemd_analyze(self, *args: str) -> subprocess.CompletedProcess:
        tool = shutil.which("systemd-analyze")
        if tool is None:
            raise h.PrerequisiteMissing("systemd-analyze not found (Debian package systemd)")
        return subprocess.run([tool, *args], capture_output=True, text=True,
                              env={**os.environ, "SYSTEMD_LOG_COLOR": "0"})

    def test_unit_verifies_without_a_word(self):
        result = self.systemd_analyze("verify", str(self.unit_with_built_binary()))
        self.assertEqual((result.returncode, result.stdout + result.stderr), (0, ""))

    def test_unit_is_hardened(self):
        result = self.systemd_analyze("security", "--offline=true", "--no-pager",
                                      str(self.unit_with_built_binary()))
        match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)
        self.assertIsNotNone(match, result.stdout[-500:] + result.stderr)
        self.assertLessEqual(float(match.group(1)), K_MAX_EXPOSURE)
        text = self.UNIT.read_text()
        for setting in ("Restart=on-failure", "DynamicUser=yes", "ProtectSystem=strict",
                        "StateDirectory=widget-consumer", "LogsDirectory=widget-consumer",
                        "EnvironmentFile=/etc/widget-consumer/widget-consumer.env"):
            self.assertIn(f"\n{setting}\n", text)


if __name__ == "__main__":
    unittest.main()
