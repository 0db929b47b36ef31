#!/bin/bash
# fresh API token for a running broker: WORK PORT (API tokens expire; a stale one measures the 401 path)
curl -fsS -u demo-app:demo-secret-for-local-use-only -d grant_type=client_credentials "http://localhost:$2/oauth2/token" | jq -r .access_token > "$1/token"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(cat $1/token)" "http://localhost:$2/v1/users/bench-user/connections/demo/token")
[[ $code == 200 ]] || echo "token.sh: $1 answers $code" >&2
