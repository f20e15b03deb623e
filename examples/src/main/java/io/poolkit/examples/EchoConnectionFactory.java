package io.poolkit.examples;

import io.poolkit.ResourceFactory;
import java.time.Duration;

/**
 * A custom {@link ResourceFactory}: how to open, check and close the resources of your own pool.
 * The pool calls {@code create} and {@code destroy} on its background workers, {@code validate}
 * before handing out a connection that sat idle a while.
 */
public final class EchoConnectionFactory implements ResourceFactory<EchoConnection> {
    private final int port;

    public EchoConnectionFactory(int port) {
        this.port = port;
    }

    @Override
    public EchoConnection create() throws Exception {
        return EchoConnection.open(port);
    }

    @Override
    public boolean validate(EchoConnection connection, Duration timeout) throws Exception {
        return connection.isOpen() && "ping".equals(connection.call("ping"));
    }

    @Override
    public void destroy(EchoConnection connection) throws Exception {
        connection.close();
    }
}
