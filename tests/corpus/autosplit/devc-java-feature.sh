#!/usr/bin/env bash
# Java and Maven, in the style of a devcontainer "java" feature; the
# project's dependencies are fetched at task start.
set -euo pipefail

MAVEN_VERSION="${MAVENVERSION:-3.9.8}"
MAVEN_HOME_DIR=/opt/maven

println() { echo "(*) $*"; }

if [ "$(id -u)" -ne 0 ]; then
    println "run as root"
    exit 1
fi

. /etc/os-release
if [ "${ID}" != "debian" ] && [ "${ID_LIKE:-}" != "debian" ]; then
    println "unsupported distribution ${ID}"
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -y
apt-get install -y --no-install-recommends openjdk-17-jdk-headless curl ca-certificates

mkdir -p "${MAVEN_HOME_DIR}"
curl -fsSL "https://archive.apache.org/dist/maven/maven-3/${MAVEN_VERSION}/binaries/apache-maven-${MAVEN_VERSION}-bin.tar.gz" \
    | tar -xz -C "${MAVEN_HOME_DIR}" --strip-components=1
ln -sf "${MAVEN_HOME_DIR}/bin/mvn" /usr/local/bin/mvn

export JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
cat > /etc/profile.d/java.sh <<EOF
export JAVA_HOME=${JAVA_HOME}
export MAVEN_HOME=${MAVEN_HOME_DIR}
EOF

apt-get clean
rm -rf /var/lib/apt/lists/*

cd /home/midori-ai/workspace
if [ -f pom.xml ]; then
    mvn -q -B dependency:go-offline
fi
println "java $(java -version 2>&1 | head -1)"
