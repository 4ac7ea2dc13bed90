# Finds the Java 25 (or later) that egress25 is built for; sourced by the launcher, setup.sh, test.sh and lab.sh.
#
# egress25 is compiled for release 25 (its AOT cache and JNA's native-access rules are those of 25), and the
# default `java` of Debian 12 is 17, so `java` on the PATH is not enough. Candidates in order: $JAVA_HOME,
# the `java` on the PATH, then every JDK under /usr/lib/jvm (where Debian's openjdk-25-jdk-headless and the
# Temurin packages put theirs), in name order so the build and the launcher pick the same one. Each
# candidate's version is read from its `release` file, which costs no JVM start.

# The lowest feature release egress25 runs on.
EGRESS25_JAVA_RELEASE=25

# Prints the feature release of the Java home $1 ("25" for 25.0.3), or nothing if it has no release file.
java_home_release()
{
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null
}

# Prints the home of the first Java 25+ that has the program $1 (java to run egress25, javac to build it).
# Returns 1, printing nothing, if there is none.
find_java_home()
{
  local program=$1 candidates=() home release on_path
  [[ -n ${JAVA_HOME:-} ]] && candidates+=("$JAVA_HOME")
  if on_path=$(command -v java 2>/dev/null); then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$on_path")")")")
  fi
  candidates+=(/usr/lib/jvm/*)
  for home in "${candidates[@]}"; do
    release=$(java_home_release "$home")
    if [[ -n $release && $release -ge $EGRESS25_JAVA_RELEASE && -x $home/bin/$program ]]; then
      echo "$home"
      return 0
    fi
  done
  return 1
}

# What to tell someone who has no Java 25.
java_missing_message()
{
  echo "egress25 needs Java $EGRESS25_JAVA_RELEASE or later and found none (JAVA_HOME, java on the PATH, /usr/lib/jvm)." \
    "Install openjdk-$EGRESS25_JAVA_RELEASE-jdk-headless (where the distribution has it) or Eclipse Temurin" \
    "$EGRESS25_JAVA_RELEASE, or point JAVA_HOME at one."
}

# Exports JAVA_HOME as the Java 25+ JDK for Maven (which builds and tests with it), or returns 1 saying why.
# Maven 3.8's own Guava uses sun.misc.Unsafe, which Java 24+ warns about on every build (JEP 498);
# allowing it for Maven's JVM keeps the build output to egress25's own messages.
use_java_for_maven()
{
  JAVA_HOME=$(find_java_home javac) || { echo "$(java_missing_message)" >&2; return 1; }
  export JAVA_HOME
  export MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow ${MAVEN_OPTS:-}"
}
