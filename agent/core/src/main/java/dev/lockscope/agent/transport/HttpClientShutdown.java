package dev.lockscope.agent.transport;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.http.HttpClient;
import java.util.Map;
import java.util.Set;

/**
 * Ends the selector thread ({@code HttpClient-N-SelectorManager}) of the link's {@link HttpClient} on detach.
 * JDK 21+ has {@code HttpClient.shutdownNow()}. On 17 the thread only ends once the unreferenced client is garbage
 * collected, so the package-private {@code SelectorManager.shutdown()} is called instead, its package opened to the
 * agent alone through {@link Instrumentation#redefineModule}. Best effort: a failure leaves the idle thread to end
 * at the next GC.
 */
final class HttpClientShutdown {
    private HttpClientShutdown() {}

    static void shutdown(HttpClient client, Instrumentation inst) {
        if (client == null) {
            return;
        }
        try {
            HttpClient.class.getMethod("shutdownNow").invoke(client);
            return;
        } catch (NoSuchMethodException e) {
            // JDK 17-20: below
        } catch (ReflectiveOperationException | RuntimeException e) {
            return;
        }
        if (inst == null) {
            return;
        }
        try {
            Module http = HttpClient.class.getModule();
            inst.redefineModule(http, Set.of(), Map.of(),
                    Map.of("jdk.internal.net.http", Set.of(HttpClientShutdown.class.getModule())), Set.of(), Map.of());
            Object impl = field(client, "impl");
            Object selector = field(impl, "selmgr");
            Method stop = selector.getClass().getDeclaredMethod("shutdown");
            stop.setAccessible(true);
            stop.invoke(selector);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // the JDK's internals differ: the thread ends when the client is collected
        }
    }

    private static Object field(Object owner, String name) throws ReflectiveOperationException {
        Field f = owner.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(owner);
    }
}
