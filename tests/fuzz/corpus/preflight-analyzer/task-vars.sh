echo "task $TASK_ID"
mkdir -p /workspace/$AGENTS_RUNNER_TASK_ID
cd ~/workspace && make
npm config set //registry.npmjs.org/:_authToken "$API_KEY"
echo "machine github.com password $GITHUB_TOKEN" > ~/.netrc
OUT=/opt/out-$RANDOM
echo $OUT
