/**
 * poolkit core: {@code Pool<T>} and {@code KeyedPool<K,T>}.
 */
module io.poolkit {
    requires org.slf4j;
    requires java.management;
    requires static org.apache.commons.pool2;

    exports io.poolkit;
}
