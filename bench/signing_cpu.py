#!/usr/bin/env python3
"""Instructions per SigV4 signature, counted by callgrind.

    python3 bench/signing_cpu.py [--binary build/release/bench/signing-cpu] [--rounds N]

Runs signing-cpu (bench/signing_cpu.cpp) under `valgrind --tool=callgrind` and prints the
inclusive instruction count of sign() and of the digest and URL work inside it, divided by
the calls, as callgrind counted them (model_cpu.py reads callgrind's output the same way).
Also prints the program's own wall time per signature, which on a shared VM is only a hint
(and under callgrind is far slower than a real run).
"""

from model_cpu import print_per_call, program_arguments, run_under_callgrind

# (row, regex on callgrind_annotate's "file:function" column)
FUNCTIONS = [
    ("sign", r":wc::aws::sign\("),
    ("  HmacSha256Key::mac (the signature, with the cached key)",
     r":wc::aws::HmacSha256Key::mac(\[abi:cxx11\])?\("),
    ("  hmac_sha256 (deriving a signing key, once a day)",
     r":wc::aws::hmac_sha256(\[abi:cxx11\])?\("),
    ("  sha256_hex (payload and canonical request)", r":wc::aws::sha256_hex(\[abi:cxx11\])?\("),
    ("  Host from the endpoint", r":wc::aws::(host_header|\(anonymous namespace\)::host_of)"
                                 r"(\[abi:cxx11\])?\("),
]


def main():
    args = program_arguments(__doc__, "signing-cpu", 2000).parse_args()
    counts, rows = run_under_callgrind([args.binary, "--rounds", str(args.rounds)], "signing-cpu")
    print(f"{counts['signatures']} signatures, {args.rounds} rounds of 4 requests")
    print_per_call(FUNCTIONS, rows)


if __name__ == "__main__":
    main()
