pip install --upgrade pip
pip install --user black
pip install -e .
pip install -r requirements.txt
python3 -m venv /opt/venv && /opt/venv/bin/pip install poetry
npm install -g typescript pnpm@8
npm install
npm ci
yarn global add eslint
corepack enable
