package io.poolkit.examples;

import io.poolkit.jdbc.PooledDataSource;
import io.poolkit.ssh.SshPool;
import io.poolkit.ssh.SshTarget;
import io.poolkit.ssh.TransferResult;
import io.poolkit.ssh.Tunnel;
import io.poolkit.ssh.testing.EmbeddedSshServer;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.List;
import java.util.function.IntFunction;
import org.h2.tools.Server;

/**
 * pool-ssh beyond commands: a {@link PooledDataSource} that reaches its database only through an SSH
 * tunnel on pooled connections, and a file copied up and back over SFTP. Here the "bastion" is an
 * in-process SSH server and the database an H2 server on loopback; against a real bastion and
 * PostgreSQL it is the same code with other addresses, as {@code SshTunnelExampleIT} runs it in CI
 * against the real sshd and PostgreSQL:
 *
 * {@snippet class=io.poolkit.examples.SshTunnelExampleIT region=real-bastion}
 */
public final class SshTunnelExample {
    private SshTunnelExample() {
    }

    public static void main(String[] args) throws Exception {
        run(System.out);
    }

    /**
     * Opens a tunnel to {@code dbHost:dbPort} through {@code bastion}, and a data source that knows only
     * the tunnel's loopback port; writes a table of cities in one transaction, reads some back, drops it.
     *
     * @param url the JDBC URL for the tunnel's local port
     * @return the cities read back through the tunnel
     */
    public static List<String> throughTunnel(SshPool ssh, SshTarget bastion, String dbHost, int dbPort, IntFunction<String> url,
                                             String user, String password, PrintStream out) throws Exception {
        String table = "city_" + Long.toHexString(System.nanoTime()); // the database may be shared
        try (Tunnel tunnel = ssh.forward(bastion, dbHost, dbPort);
             PooledDataSource ds = PooledDataSource.builder().name("db-via-ssh").url(url.apply(tunnel.localAddress().getPort()))
                     .username(user).password(password).maxSize(4).build()) {
            ds.update("create table " + table + " (name varchar(40), pop int)");
            try {
                ds.inTransaction(c -> {
                    try (Statement st = c.createStatement()) {
                        st.executeUpdate("insert into " + table + " values ('Lisbon', 545000), ('Porto', 232000), ('Braga', 193000)");
                    }
                    return null;
                });
                List<String> cities = ds.query("select name from " + table + " where pop > ? order by name", r -> r.getString(1),
                        200_000);
                out.println("through " + tunnel + ": " + cities);
                out.println("ssh: " + ssh.stats(bastion).connectionsInUse() + " connection in use, "
                        + ssh.stats(bastion).channelsOpen() + " session channels (a tunnel takes none); database connections "
                        + ds.stats().created() + ", all accepted by the tunnel: " + (tunnel.accepted() == ds.stats().created()));
                return cities;
            } finally {
                ds.update("drop table " + table);
            }
        }
    }

    /** @return the cities read back through the tunnel */
    static List<String> run(PrintStream out) throws Exception {
        int dbPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dbPort = probe.getLocalPort();
        }
        Server db = Server.createTcpServer("-tcpPort", String.valueOf(dbPort), "-ifNotExists").start();
        try (TempDir scratch = TempDir.create("poolkit-tunnel-example");
             EmbeddedSshServer server = EmbeddedSshServer.builder().echoCommands().start();
             SshPool ssh = SshPool.builder().name("ssh-beyond").knownHosts(server.knownHosts(scratch.path())).pidWrapper(false).build()) {
            Path dir = scratch.path();
            SshTarget bastion = SshTarget.of("127.0.0.1", server.port(), EmbeddedSshServer.USER).withKey(server.clientKey());

            // 1. a database reached only through the bastion: the data source knows nothing but the tunnel
            List<String> cities = throughTunnel(ssh, bastion, "127.0.0.1", dbPort,
                    localPort -> "jdbc:h2:tcp://127.0.0.1:" + localPort + "/mem:tunnel", "sa", "", out);

            // 2. a file up and back: streamed, written under a temporary name and renamed, mode kept
            Path local = Files.writeString(dir.resolve("release-notes.txt"), "poolkit: files, tunnels and jump hosts\n");
            String remote = dir.resolve("uploaded.txt").toString();
            TransferResult up = ssh.upload(bastion, local, remote);
            TransferResult down = ssh.download(bastion, remote, dir.resolve("downloaded.txt"));
            out.println("uploaded " + up.bytes() + " bytes, downloaded " + down.bytes() + " bytes: "
                    + Files.readString(dir.resolve("downloaded.txt")).trim());
            out.println("server version, through withSession: " + ssh.withSession(bastion, session -> session.getServerVersion()));
            return cities;
        } finally {
            db.stop();
        }
    }
}
