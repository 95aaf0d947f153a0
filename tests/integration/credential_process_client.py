"""credential_process for the integration tests: prints what a MintEndpoint serves.

    credential_process = python3 credential_process_client.py http://127.0.0.1:PORT/mint
"""

import sys
import urllib.error
import urllib.request

try:
    with urllib.request.urlopen(sys.argv[1], timeout=10) as response:
        sys.stdout.write(response.read().decode())
except (urllib.error.URLError, OSError) as error:
    sys.stderr.write(f"credential helper: cannot get credentials from {sys.argv[1]}: {error}\n")
    sys.exit(2)
