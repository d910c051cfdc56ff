# The SCRAM logins both kafka.sh (one broker) and cluster.sh (three) format their storage with:
# sourced by them, with $creds set to the directory of <principal>.json files.
principals="admin locaties kennis rapportage auditor"
mechanism="SCRAM-SHA-512"

password() {
  sed -n 's/.*"password": "\([0-9a-f]*\)".*/\1/p' "$creds/$1.json"
}

# Changes whenever a login does: storage formatted with other logins is set aside.
fingerprint() {
  for name in $principals; do cat "$creds/$name.json" 2>/dev/null || echo "missing $name"; done \
    | sha256sum | cut -d' ' -f1
}
