package io.poolkit;

/**
 * Creating a resource failed in a way the pool reports itself: {@code build()} could not create
 * its {@code initialSize} resources within {@code initializationFailTimeout}, or a
 * {@code create()} overran {@code createTimeout}. The cause is the factory's own failure, if any.
 */
public class ResourceCreationException extends PoolException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed
     * @param cause the factory's failure, or {@code null}
     */
    public ResourceCreationException(String message, Throwable cause) {
        super(message, cause);
    }
}
