package io.poolkit;

/**
 * A health check given to {@link PoolBuilder#validator(Validator)}, for factories written as a
 * lambda. Same contract as {@link ResourceFactory#validate(Object)}.
 *
 * @param <T> the resource type
 */
@FunctionalInterface
public interface Validator<T> {
    /**
     * Checks a resource.
     *
     * @param resource the resource to check
     * @return {@code false} (or an exception) destroys the resource
     * @throws Exception treated like {@code false}
     */
    boolean validate(T resource) throws Exception;
}
