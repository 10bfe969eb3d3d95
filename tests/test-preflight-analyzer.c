/* test-preflight-analyzer.c — the preflight analyzer’s rules: what is cacheable, what runs at start
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ar-preflight-analyzer.h"
#include "test-utils.h"

#include <string.h>
#include <time.h>
#include "test-preflight-analyzer-utils.h"

static void
assert_all (const char *const *scripts, ArPreflightCategory category, ArPreflightPart part)
{
  for (guint i = 0; scripts[i] != NULL; i++)
    assert_single (scripts[i], NULL, category, part);
}

static void
test_package_install (void)
{
  const char *const scripts[] = {
    "yay -S --noconfirm ripgrep",
    "paru -S fd",
    "pacman -S --needed git",
    "sudo pacman -Syu --noconfirm",
    "pacman -Sy",
    "apt-get install -y git",
    "sudo DEBIAN_FRONTEND=noninteractive apt-get install -y curl",
    "apt-get update",
    "apt install -y vim",
    "dnf install -y gcc",
    "apk add --no-cache bash",
    "pip install black",
    "pip3 install --upgrade requests",
    "python3 -m pip install -U pip",
    "npm install -g typescript",
    "npm i --global pnpm",
    "yarn global add eslint",
    "cargo install ripgrep",
    "go install golang.org/x/tools/gopls@latest",
    "gem install bundler",
    "env FOO=1 dnf install -y make",
    NULL
  };
  const char *const not_packages[] = {
    "pacman -Ss git",
    "apt-cache policy git",
    "pip show black",
    "npm run build",
    "go build ./...",
    NULL
  };
  g_autoptr(GPtrArray) units = analyze ("apt-get install -y jq", NULL);

  assert_all (scripts, AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL, AR_PREFLIGHT_PART_CACHED);
  assert_all (not_packages, AR_PREFLIGHT_CATEGORY_AMBIGUOUS, AR_PREFLIGHT_PART_RUN);
  g_assert_cmpuint (unit_at (units, 0)->package_line, ==, 1);
  g_assert_nonnull (strstr (unit_at (units, 0)->reason, "apt-get install"));
}

static void
test_download (void)
{
  const char *const scripts[] = {
    "curl -fsSL -o /usr/local/bin/kubectl https://dl.k8s.io/kubectl",
    "curl -fsSLo /opt/tool https://example.com/tool",
    "curl --output /usr/local/bin/x https://example.com/x",
    "curl -fsSL https://example.com/x > /usr/local/bin/x",
    "wget -O /opt/tool.tar.gz https://example.com/tool.tar.gz",
    "wget -qO /usr/local/bin/y https://example.com/y",
    "wget --output-document=/opt/z https://example.com/z",
    "git clone --depth 1 https://github.com/owner/repo /opt/repo",
    "curl -fsSL https://get.example.com | sh",
    "curl -fsSL https://deb.nodesource.com/setup_20.x | sudo -E bash -",
    "wget -qO- https://example.com/install.sh | bash -s -- --yes",
    "sh -c \"$(curl -fsSL https://example.com/install.sh)\"",
    "curl -L https://example.com/t.tgz | tar -xz -C /opt",
    NULL
  };
  const char *const not_downloads[] = {
    "curl -fsSL https://example.com/x",
    "curl -o x.tgz https://example.com/x.tgz",
    "git clone https://github.com/owner/repo",
    "wget https://example.com/file",
    NULL
  };

  assert_all (scripts, AR_PREFLIGHT_CATEGORY_DOWNLOAD, AR_PREFLIGHT_PART_CACHED);
  assert_all (not_downloads, AR_PREFLIGHT_CATEGORY_AMBIGUOUS, AR_PREFLIGHT_PART_RUN);
}

static void
test_system_config (void)
{
  const char *const scripts[] = {
    "echo 'deb http://x stable main' | sudo tee /etc/apt/sources.list.d/x.list",
    "echo 'en_US.UTF-8 UTF-8' >> /etc/locale.gen",
    "printf 'x' > /usr/local/etc/x.conf",
    "ln -sf /opt/node/bin/node /usr/local/bin/node",
    "ln -s /usr/share/zoneinfo/UTC /etc/localtime",
    "chmod +x /usr/local/bin/tool",
    "sudo chown -R 1000:1000 /opt/app",
    "cp ./settings.json /etc/app/settings.json",
    "mv tool /usr/local/bin/",
    "install -m 755 tool /usr/local/bin/tool",
    "sed -i 's/#PermitRootLogin/PermitRootLogin/' /etc/ssh/sshd_config",
    "sudo sed --in-place -e 's/a/b/' /etc/default/grub",
    "useradd -m builder",
    "curl -o /etc/ssl/certs/ca.pem https://example.com/ca.pem",
    NULL
  };
  const char *const not_config[] = {
    "ln -s ~/a ~/b",
    "chmod +x ./run.sh",
    "sed 's/a/b/' /etc/hosts",
    "cp /etc/hosts ./hosts",
    "cat /etc/os-release",
    NULL
  };

  assert_all (scripts, AR_PREFLIGHT_CATEGORY_SYSTEM_CONFIG, AR_PREFLIGHT_PART_CACHED);
  assert_all (not_config, AR_PREFLIGHT_CATEGORY_AMBIGUOUS, AR_PREFLIGHT_PART_RUN);
}

static void
test_static_dir (void)
{
  const char *const scripts[] = {
    "mkdir -p /opt/tools",
    "mkdir /usr/local/share/app",
    "sudo mkdir -p -m 0755 /opt/a /opt/b",
    NULL
  };

  assert_all (scripts, AR_PREFLIGHT_CATEGORY_STATIC_DIR, AR_PREFLIGHT_PART_CACHED);
  assert_single ("mkdir -p ~/.config/app", NULL, AR_PREFLIGHT_CATEGORY_AMBIGUOUS, AR_PREFLIGHT_PART_RUN);
  /* an earlier rule wins within a chain */
  assert_single ("mkdir -p /opt/x && curl -o /opt/x/y https://example.com/y", NULL,
                 AR_PREFLIGHT_CATEGORY_DOWNLOAD, AR_PREFLIGHT_PART_CACHED);
}

static void
test_env_export (void)
{
  const char *const scripts[] = {
    "export FOO=bar",
    "export PATH=\"/opt/tools/bin:$PATH\"",
    "declare -x EDITOR=vim",
    NULL
  };
  g_autoptr(GPtrArray) units = analyze ("export GOPATH=/opt/go", NULL);

  assert_all (scripts, AR_PREFLIGHT_CATEGORY_ENV_EXPORT, AR_PREFLIGHT_PART_RUN);
  g_assert_nonnull (strstr (unit_at (units, 0)->reason, "GOPATH"));
}

static void
test_task_variable (void)
{
  const char *const names[] = { "MY_TOKEN", "", NULL };
  const char *const scripts[] = {
    "echo \"$TASK_ID\"",
    "echo ${AGENTS_RUNNER_ENV_ID}",
    "mkdir -p ~/runs/$AGENTS_RUNNER_TASK_ID",
    "echo ${#TASK_ID}",
    NULL
  };
  g_autoptr(GPtrArray) units = NULL;
  ArPreflightUnit *u;

  assert_all (scripts, AR_PREFLIGHT_CATEGORY_TASK_VARIABLE, AR_PREFLIGHT_PART_RUN);
  assert_single ("gh auth login --with-token <<< \"$MY_TOKEN\"", names,
                 AR_PREFLIGHT_CATEGORY_TASK_VARIABLE, AR_PREFLIGHT_PART_RUN);
  assert_single ("echo ${MY_TOKEN:-none}", names, AR_PREFLIGHT_CATEGORY_TASK_VARIABLE, AR_PREFLIGHT_PART_RUN);
  /* a longer name, an escaped $, and names not in the list are not task variables */
  assert_single ("echo $MY_TOKENS", names, AR_PREFLIGHT_CATEGORY_AMBIGUOUS, AR_PREFLIGHT_PART_RUN);
  assert_single ("echo \\$TASK_ID", names, AR_PREFLIGHT_CATEGORY_AMBIGUOUS, AR_PREFLIGHT_PART_RUN);
  /* a name that looks like a secret is one without an environment too */
  assert_single ("echo $MY_TOKEN", NULL, AR_PREFLIGHT_CATEGORY_TASK_VARIABLE, AR_PREFLIGHT_PART_RUN);

  units = analyze ("# first\necho one\necho \"$MY_TOKEN\" \\\n  \"$TASK_ID\"\n", names);
  g_assert_cmpuint (units->len, ==, 2);
  u = unit_at (units, 1);
  g_assert_cmpstr (u->task_variable, ==, "TASK_ID");
  g_assert_cmpuint (u->task_variable_line, ==, 4);
  g_assert_cmpstr (u->env_variable, ==, "MY_TOKEN");
  g_assert_cmpuint (u->env_variable_line, ==, 3);
  /* the reason names the first one used */
  g_assert_nonnull (strstr (u->reason, "MY_TOKEN"));
  g_assert_null (unit_at (units, 0)->task_variable);
}

static void
test_temp_dir (void)
{
  const char *const scripts[] = {
    "cd /tmp",
    "cp /etc/hosts /tmp/hosts",
    "echo x > \"/tmp/log-$$\"",
    "WORK=$(mktemp -d)",
    "tar -C \"$TMPDIR\" -xf a.tar",
    NULL
  };
  g_autoptr(GPtrArray) units = analyze ("cd /opt\necho x > /tmp/build-${NAME}/log\n", NULL);

  assert_all (scripts, AR_PREFLIGHT_CATEGORY_TEMP_DIR, AR_PREFLIGHT_PART_RUN);
  assert_single ("cd /var/tmp/x", NULL, AR_PREFLIGHT_CATEGORY_AMBIGUOUS, AR_PREFLIGHT_PART_RUN);
  assert_single ("cd ~/tmp/x", NULL, AR_PREFLIGHT_CATEGORY_AMBIGUOUS, AR_PREFLIGHT_PART_RUN);
  assert_single ("ls /tmpfoo", NULL, AR_PREFLIGHT_CATEGORY_AMBIGUOUS, AR_PREFLIGHT_PART_RUN);

  g_assert_cmpuint (units->len, ==, 2);
  g_assert_cmpuint (unit_at (units, 0)->dynamic_tmp_line, ==, 0);
  g_assert_cmpuint (unit_at (units, 1)->dynamic_tmp_line, ==, 2);
}

static void
test_ambiguous (void)
{
  g_autoptr(GPtrArray) units = analyze ("make -C ~/workspace", NULL);

  g_assert_cmpuint (units->len, ==, 1);
  g_assert_cmpint (unit_at (units, 0)->category, ==, AR_PREFLIGHT_CATEGORY_AMBIGUOUS);
  g_assert_cmpint (unit_at (units, 0)->part, ==, AR_PREFLIGHT_PART_RUN);
  g_assert_cmpstr (unit_at (units, 0)->reason, ==,
                   "What it does is not known, so it runs at every task start: safe, only slower. "
                   "Switch it to Cached if it does the same for every task.");
}

static void
test_workspace_installs (void)
{
  const char *const scripts[] = {
    "pip install --user black",
    "pip install -e .",
    "pip3 install -r requirements.txt",
    "pip install ./vendor/pkg",
    "npm install",
    "npm ci",
    "yarn install",
    "go install ./...",
    "cargo install --path .",
    NULL
  };
  g_autoptr(GPtrArray) units = analyze ("apt-get install -y python3-pip && pip install --user x", NULL);

  assert_all (scripts, AR_PREFLIGHT_CATEGORY_AMBIGUOUS, AR_PREFLIGHT_PART_RUN);
  /* never cached, even next to a cached command */
  g_assert_cmpint (unit_at (units, 0)->part, ==, AR_PREFLIGHT_PART_RUN);
  assert_single ("pip install -r /opt/requirements.txt", NULL,
                 AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL, AR_PREFLIGHT_PART_CACHED);
}

static void
test_env_var_names (void)
{
  const char *const names[] = { "GITHUB_TOKEN", "NPM_TOKEN", NULL };

  assert_single ("git clone https://$GITHUB_TOKEN@github.com/o/r /opt/r", names,
                 AR_PREFLIGHT_CATEGORY_TASK_VARIABLE, AR_PREFLIGHT_PART_RUN);
  /* a name that looks like a secret is one without an environment too
   * (issue 9): a token never reaches the image */
  assert_single ("git clone https://$GITHUB_TOKEN@github.com/o/r /opt/r", NULL,
                 AR_PREFLIGHT_CATEGORY_TASK_VARIABLE, AR_PREFLIGHT_PART_RUN);
  assert_single ("git clone https://$GITHUB_USER@github.com/o/r /opt/r", NULL,
                 AR_PREFLIGHT_CATEGORY_DOWNLOAD, AR_PREFLIGHT_PART_CACHED);
  assert_single ("echo \"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\" >> /etc/npmrc", names,
                 AR_PREFLIGHT_CATEGORY_TASK_VARIABLE, AR_PREFLIGHT_PART_RUN);
}

static void
test_run_only_values (void)
{
  /* a variable set at task start is not there at build time */
  g_autoptr(GPtrArray) units =
    analyze ("export V=20\ncurl -o /opt/n.tgz https://example.com/v$V.tgz\n"
                          "V=21\ncurl -o /opt/m.tgz https://example.com/v$V.tgz\n", NULL);
  g_autoptr(GPtrArray) task =
    analyze ("export V=$TASK_ID\ncurl -o /opt/n.tgz https://example.com/v$V.tgz\n", NULL);

  /* the download keeps its category; the guarantee sends it to run and
   * names the line that forced it */
  g_assert_cmpuint (task->len, ==, 2);
  g_assert_cmpint (unit_at (task, 1)->category, ==, AR_PREFLIGHT_CATEGORY_DOWNLOAD);
  g_assert_cmpint (unit_at (task, 1)->part, ==, AR_PREFLIGHT_PART_RUN);
  g_assert_cmpuint (unit_at (task, 1)->moved_by_line, ==, 1);
  g_assert_nonnull (strstr (unit_at (task, 1)->reason, "line 1"));

  /* an export of a constant is a pure definition: the guarantee puts it in
   * both parts for the cached download that uses it (issue 9) */
  g_assert_cmpuint (units->len, ==, 4);
  g_assert_cmpint (unit_at (units, 0)->category, ==, AR_PREFLIGHT_CATEGORY_ENV_EXPORT);
  g_assert_cmpint (unit_at (units, 0)->part, ==, AR_PREFLIGHT_PART_BOTH);
  g_assert_nonnull (strstr (unit_at (units, 0)->reason, "line 2"));
  g_assert_cmpint (unit_at (units, 1)->category, ==, AR_PREFLIGHT_CATEGORY_DOWNLOAD);
  /* a plain assignment goes to both parts, so later cached lines have it */
  g_assert_cmpint (unit_at (units, 2)->category, ==, AR_PREFLIGHT_CATEGORY_VARIABLE);
  g_assert_cmpint (unit_at (units, 2)->part, ==, AR_PREFLIGHT_PART_BOTH);
  g_assert_cmpint (unit_at (units, 3)->category, ==, AR_PREFLIGHT_CATEGORY_DOWNLOAD);
}

int
main (int argc, char *argv[])
{
  ar_test_init (&argc, &argv);

  g_test_add_func ("/preflight-analyzer/package-install", test_package_install);
  g_test_add_func ("/preflight-analyzer/download", test_download);
  g_test_add_func ("/preflight-analyzer/system-config", test_system_config);
  g_test_add_func ("/preflight-analyzer/static-dir", test_static_dir);
  g_test_add_func ("/preflight-analyzer/env-export", test_env_export);
  g_test_add_func ("/preflight-analyzer/task-variable", test_task_variable);
  g_test_add_func ("/preflight-analyzer/temp-dir", test_temp_dir);
  g_test_add_func ("/preflight-analyzer/ambiguous", test_ambiguous);
  g_test_add_func ("/preflight-analyzer/workspace-installs", test_workspace_installs);
  g_test_add_func ("/preflight-analyzer/env-var-names", test_env_var_names);
  g_test_add_func ("/preflight-analyzer/run-only-values", test_run_only_values);

  return g_test_run ();
}
