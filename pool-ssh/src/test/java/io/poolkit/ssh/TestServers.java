package io.poolkit.ssh;

import java.io.IOException;
import java.nio.file.Path;

/** Opens {@link TestServer} to tests in other packages. */
public final class TestServers {
    private TestServers() {
    }

    /** An embedded server. */
    public static final class Handle implements AutoCloseable {
        private final TestServer server;

        Handle(TestServer server) {
            this.server = server;
        }

        public SshTarget target() {
            return server.target();
        }

        public Path knownHosts(Path dir) throws IOException {
            return server.knownHosts(dir);
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    public static Handle start() throws Exception {
        return new Handle(new TestServer(10));
    }
}
