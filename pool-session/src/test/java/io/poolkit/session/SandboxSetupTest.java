package io.poolkit.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A sandbox that cannot be set up fails start() saying what is missing and how to fix or opt out; never a silent unsandboxed run. */
@Timeout(60)
class SandboxSetupTest {
    @TempDir
    Path dir;

    private Path script(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private static String help(boolean withDisableUserns) {
        StringBuilder b = new StringBuilder("usage: bwrap [OPTIONS...] [--] COMMAND [ARGS...]\n");
        for (String flag : new String[] {"--unshare-all", "--unshare-user", "--uid", "--gid", "--die-with-parent", "--new-session",
                "--cap-drop", "--clearenv", "--ro-bind", "--symlink", "--proc", "--dev", "--tmpfs", "--size", "--remount-ro", "--chdir",
                "--hostname", "--args", "--seccomp", "--ro-bind-data", "--perms", "--setenv"}) {
            b.append("    ").append(flag).append(" X   what it does\n");
        }
        if (withDisableUserns) {
            b.append("    --disable-userns             Disable further use of user namespaces inside sandbox\n");
        }
        return b.toString();
    }

    @Test
    void missingBubblewrapSaysHowToInstallItOrOptOut() {
        assertThatThrownBy(() -> SecureSession.builder().bubblewrap(dir.resolve("no-bwrap")).start())
                .isInstanceOf(SandboxUnavailableException.class)
                .hasMessageContaining("bubblewrap (bwrap) is not installed at " + dir.resolve("no-bwrap"))
                .hasMessageContaining("apt-get install bubblewrap")
                .hasMessageContaining("sandbox(false)");
    }

    @Test
    void poolBuildFailsTheSameWayNotWrapped() {
        assertThatThrownBy(() -> SecureSessionPool.builder().size(1).bubblewrap(dir.resolve("no-bwrap")).build())
                .isInstanceOf(SandboxUnavailableException.class).hasMessageContaining("not installed");
    }

    @Test
    void bubblewrapWithoutDisableUsernsIsRefusedNamingTheFlag() throws IOException {
        Path old = script("bwrap-old", "case \"$1\" in --version) echo 'bubblewrap 0.6.2';; --help) cat <<'EOF'\n" + help(false)
                + "EOF\n;; *) exit 0;; esac\n");
        assertThatThrownBy(() -> SecureSession.builder().bubblewrap(old).start()).isInstanceOf(SandboxUnavailableException.class)
                .hasMessageContaining("(bubblewrap 0.6.2) lacks --disable-userns")
                .hasMessageContaining("0.8.0 or newer")
                .hasMessageContaining("sandbox(false)");
    }

    @Test
    void bubblewrapThatCannotMakeNamespacesPointsAtTheSysctls() throws IOException {
        Path denied = script("bwrap-denied", "case \"$1\" in --version) echo 'bubblewrap 0.8.0';; --help) cat <<'EOF'\n" + help(true)
                + "EOF\n;; *) echo 'bwrap: No permissions to create new namespace' >&2; exit 1;; esac\n");
        assertThatThrownBy(() -> SecureSession.builder().bubblewrap(denied).start()).isInstanceOf(SandboxUnavailableException.class)
                .hasMessageContaining("cannot build a sandbox here: bwrap: No permissions to create new namespace")
                .hasMessageContaining("kernel.apparmor_restrict_unprivileged_userns");
    }

    @Test
    void workDirectoryThatIsASymlinkIsRefused() throws IOException {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        assertThatThrownBy(() -> SecureSession.builder().sandbox(false).workDirectory(link).start())
                .isInstanceOf(SessionStartException.class).hasMessageContaining("not a directory of its own");
    }

    @Test
    void workDirectoryOfAnotherUserIsRefused() throws IOException {
        Path theirs = Files.createDirectory(dir.resolve("theirs"));
        try {
            Files.setOwner(theirs, theirs.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        } catch (IOException | UnsupportedOperationException e) {
            org.junit.jupiter.api.Assumptions.abort("cannot give a directory to 'nobody' here: " + e);
        }
        assertThatThrownBy(() -> SecureSession.builder().sandbox(false).workDirectory(theirs).start())
                .isInstanceOf(SessionStartException.class).hasMessageContaining("belongs to nobody");
    }

    @Test
    void workDirectoryTooLongForASocketPathIsRefused() {
        Path deep = dir.resolve("d".repeat(100));
        assertThatThrownBy(() -> SecureSession.builder().sandbox(false).workDirectory(deep).start())
                .isInstanceOf(SessionStartException.class).hasMessageContaining("too long for a unix socket path");
    }

    @Test
    void startTimeoutIsHonouredWithTheWorkersDiagnostics() {
        assertThatThrownBy(() -> SecureSession.builder().sandbox(false).startTimeout(Duration.ofMillis(50)).start())
                .isInstanceOf(SessionStartException.class).hasMessageContaining("did not connect within 50 ms");
    }
}
