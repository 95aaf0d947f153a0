// Starts fauxqs (in-memory S3/SQS/SNS) for the benchmark on FAUXQS_PORT, without request
// logging: the fauxqs CLI always logs every request, which would make the server, not the
// consumer, the thing being measured.
import { startFauxqs } from "fauxqs";

const port = Number(process.env.FAUXQS_PORT ?? "4566");
const server = await startFauxqs({ port, logger: false });
console.log(`fauxqs listening on ${server.address}`);

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    await server.stop();
    process.exit(0);
  });
}
