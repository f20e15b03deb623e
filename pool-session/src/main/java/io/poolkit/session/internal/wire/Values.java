package io.poolkit.session.internal.wire;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values that travel between a snippet and a host tool: {@code null}, {@link Boolean},
 * {@link Long} (any integral number), {@link Double} (any floating number), {@link String},
 * {@link List} and {@link Map} with string keys, nested at most {@link #MAX_DEPTH} deep. A tagged
 * binary layout, never Java serialization: decoding hostile bytes builds nothing but these types.
 */
public final class Values {
    public static final int MAX_DEPTH = 32;

    private static final byte NULL = 0;
    private static final byte FALSE = 1;
    private static final byte TRUE = 2;
    private static final byte LONG = 3;
    private static final byte DOUBLE = 4;
    private static final byte STRING = 5;
    private static final byte LIST = 6;
    private static final byte MAP = 7;

    private Values() {
    }

    /**
     * @throws IllegalArgumentException naming the path and type of a value that cannot travel
     */
    public static void write(Out out, Object value) {
        write(out, value, "value", 0);
    }

    private static void write(Out out, Object v, String path, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException(path + " is nested more than " + MAX_DEPTH + " levels deep");
        }
        if (v == null) {
            out.writeByte(NULL);
        } else if (v instanceof Boolean bool) {
            out.writeByte(bool ? TRUE : FALSE);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            out.writeByte(LONG).writeLong(((Number) v).longValue());
        } else if (v instanceof Double || v instanceof Float) {
            out.writeByte(DOUBLE).writeDouble(((Number) v).doubleValue());
        } else if (v instanceof BigInteger || v instanceof BigDecimal) {
            out.writeByte(STRING).writeString(v.toString());
        } else if (v instanceof CharSequence || v instanceof Character) {
            out.writeByte(STRING).writeString(v.toString());
        } else if (v instanceof Map<?, ?> map) {
            out.writeByte(MAP).writeInt(map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException(path + " is a map with a key of type "
                            + (e.getKey() == null ? "null" : e.getKey().getClass().getName()) + "; keys must be strings");
                }
                out.writeString(key);
                write(out, e.getValue(), path + "." + key, depth + 1);
            }
        } else if (v instanceof Collection<?> list) {
            out.writeByte(LIST).writeInt(list.size());
            int i = 0;
            for (Object item : list) {
                write(out, item, path + "[" + i++ + "]", depth + 1);
            }
        } else if (v instanceof Object[] array) {
            write(out, java.util.Arrays.asList(array), path, depth);
        } else {
            throw new IllegalArgumentException(path + " is a " + v.getClass().getName() + ", which cannot travel between"
                    + " the snippet and the host: use null, a boolean, a number, a string, a list or a map with string keys");
        }
    }

    /** Reads one value; the result's lists and maps are unmodifiable. */
    public static Object read(In in) throws ProtocolException {
        return read(in, 0);
    }

    private static Object read(In in, int depth) throws ProtocolException {
        if (depth > MAX_DEPTH) {
            throw new ProtocolException("a value is nested more than " + MAX_DEPTH + " levels deep");
        }
        byte tag = in.readByte();
        switch (tag) {
            case NULL:
                return null;
            case FALSE:
                return Boolean.FALSE;
            case TRUE:
                return Boolean.TRUE;
            case LONG:
                return in.readLong();
            case DOUBLE:
                return in.readDouble();
            case STRING:
                return in.readString();
            case LIST: {
                int n = in.readCount(in.remaining(), "list size"); // every item takes at least one byte
                // grown as items arrive: a count is a claim, not memory to give
                List<Object> list = new ArrayList<>(Math.min(n, 16));
                for (int i = 0; i < n; i++) {
                    list.add(read(in, depth + 1));
                }
                return Collections.unmodifiableList(list);
            }
            case MAP: {
                int n = in.readCount(in.remaining() / 5, "map size"); // a key takes 4 bytes, a value at least 1
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    String key = in.readString();
                    map.put(key, read(in, depth + 1));
                }
                return Collections.unmodifiableMap(map);
            }
            default:
                throw new ProtocolException("unknown value tag " + tag);
        }
    }
}
