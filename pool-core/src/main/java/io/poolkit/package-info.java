/**
 * poolkit's core: {@link io.poolkit.Pool} and {@link io.poolkit.KeyedPool}, the lifecycle rules every
 * poolkit pool stands on.
 *
 * <p>Start with {@link io.poolkit.Pool#builder(io.poolkit.ResourceFactory)}: implement
 * {@link io.poolkit.ResourceFactory} (or pass a lambda plus a releaser), set the options, build, and
 * {@code acquire} leases in try-with-resources. For one pool per key (per host, per tenant) use
 * {@link io.poolkit.KeyedPool#builder(io.poolkit.KeyedResourceFactory)}.
 */
package io.poolkit;
