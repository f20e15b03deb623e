package io.poolkit.ssh.snippets;

import io.poolkit.ssh.CommandResult;
import io.poolkit.ssh.RemoteFile;
import io.poolkit.ssh.SftpSession;
import io.poolkit.ssh.SshPool;
import io.poolkit.ssh.SshTarget;
import io.poolkit.ssh.TransferResult;
import io.poolkit.ssh.Tunnel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The examples in pool-ssh's javadoc, as compiled code: each {@code @start region=...} is shown by a
 * {@code {@snippet class=io.poolkit.ssh.snippets.SshSnippets region=...}} tag (javadoc runs on the JDK
 * 21+ leg with {@code --snippet-path} pointing at src/test/java). They run against the embedded SSH
 * server, with the host, port, user, files and stream the test gives; the {@code @replace} markup
 * shows the names a reader would write instead. {@code SshSnippetsTest} runs them.
 */
final class SshSnippets {
    private SshSnippets() {
    }

    /** Prints the exit code and output of {@code uptime} on the host. */
    static void pool(Path knownHosts, String host, int port, String user, Path key, PrintStream out) throws Exception {
        // @start region="pool"
        try (SshPool ssh = SshPool.builder().knownHosts(knownHosts).maxChannelsPerConnection(8).build()) { // @replace regex='knownHosts\)' replacement='Path.of("known_hosts"))'
            SshTarget web1 = SshTarget.of(host, port, user).withKey(key); // @replace regex='host, port, user' replacement='"web1.example.com", 22, "deploy"' @replace regex='withKey\(key\)' replacement='withKey(Path.of("id_ed25519"))'
            CommandResult r = ssh.exec(web1, "uptime", Duration.ofSeconds(10));
            out.println(r.exitCode() + " " + r.stdout()); // @replace regex='out[.]' replacement='System.out.'
        }
        // @end
    }

    static SshTarget target(String host, int port, String user, Path key) {
        // @start region="target"
        SshTarget web1 = SshTarget.of(host, port, user).withKey(key); // @replace regex='host, port, user' replacement='"web1.example.com", 22, "deploy"' @replace regex='withKey\(key\)' replacement='withKey(Path.of("id_ed25519"))'
        // @end
        return web1;
    }

    /** @return {@code app}, reached through {@code bastion} */
    static SshTarget via(String bastionHost, int bastionPort, String appHost, int appPort, String user, Path key) {
        // @start region="via"
        SshTarget bastion = SshTarget.of(bastionHost, bastionPort, user).withKey(key); // @replace regex='bastionHost, bastionPort, user' replacement='"bastion.example.com", 22, "ops"' @replace regex='withKey\(key\)' replacement='withKey(Path.of("id_ed25519"))'
        SshTarget app = SshTarget.of(appHost, appPort, user).withKey(key).via(bastion); // @replace regex='appHost, appPort, user' replacement='"10.0.0.7", 22, "deploy"' @replace regex='withKey\(key\)' replacement='withKey(Path.of("id_ed25519"))'
        // @end
        return app;
    }

    static TransferResult upload(SshPool ssh, SshTarget web1, Path jar, String remote, PrintStream out) throws Exception {
        // @start region="upload"
        TransferResult up = ssh.upload(web1, jar, remote); // @replace regex='jar, remote' replacement='Path.of("app.jar"), "/opt/app/app.jar"'
        out.println(up.bytes() + " bytes in " + up.duration().toMillis() + " ms"); // @replace regex='out[.]' replacement='System.out.'
        // @end
        return up;
    }

    static void sftp(SshPool ssh, SshTarget web1, String remoteDir, PrintStream out) throws Exception {
        // @start region="sftp"
        try (SftpSession sftp = ssh.sftp(web1)) {
            for (RemoteFile f : sftp.list(remoteDir)) { // @replace regex='remoteDir' replacement='"/opt/app"'
                out.println(f.name() + " " + f.size()); // @replace regex='out[.]' replacement='System.out.'
            }
        }
        // @end
    }

    /** Opens the tunnel and hands {@code connect} the URL a client would use, while the tunnel is open. */
    static void tunnel(SshPool ssh, SshTarget bastion, String dbHost, int dbPort, Consumer<String> connect) {
        // @start region="tunnel"
        try (Tunnel t = ssh.forward(bastion, dbHost, dbPort)) { // @replace regex='dbHost, dbPort' replacement='"db.internal", 5432'
            String url = "jdbc:postgresql://127.0.0.1:" + t.localAddress().getPort() + "/app";
            connect.accept(url); // @replace regex='connect.*' replacement='// ... connect to url: the bytes travel through the bastion'
        }
        // @end
    }

    static String withSession(SshPool ssh, SshTarget web1) throws Exception {
        // @start region="with-session"
        String v = ssh.withSession(web1, session -> session.getServerVersion());
        // @end
        return v;
    }
}
