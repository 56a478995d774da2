package dev.lockscope.agent.pools;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Calls public no-argument getters of pools from other libraries, caching the lookups per class. */
final class Reflective {
    private static final Map<String, Method> CACHE = new ConcurrentHashMap<>();
    private static final Method MISSING;

    static {
        try {
            MISSING = Object.class.getMethod("hashCode");
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Reflective() {}

    static Object call(Object target, String getter) {
        Class<?> c = target.getClass();
        Method m = CACHE.computeIfAbsent(c.getName() + "#" + System.identityHashCode(c) + "#" + getter, k -> {
            try {
                Method found = c.getMethod(getter);
                found.setAccessible(true);
                return found;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return MISSING;
            }
        });
        if (m == MISSING) {
            return null;
        }
        try {
            return m.invoke(target);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    static long number(Object target, String getter) {
        Object v = call(target, getter);
        return v instanceof Number n ? n.longValue() : -1;
    }

    /** True when {@code c} or a superclass is named {@code name}. */
    static boolean isA(Class<?> c, String name) {
        for (; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(name)) {
                return true;
            }
        }
        return false;
    }
}
