package dev.lockscope.dashboard.pools;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/** Child-JVM program for {@link ServerPoolsEndToEndTest}: embedded Tomcat, 4 request threads, a slow endpoint. */
public final class TomcatServerApp {
    public static void main(String[] args) throws Exception {
        Path base = Files.createTempDirectory("lockscope-tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("maxThreads", "4");
        connector.setProperty("minSpareThreads", "4");
        tomcat.getService().addConnector(connector);
        tomcat.setConnector(connector);
        Context ctx = tomcat.addContext("", base.toString());
        Tomcat.addServlet(ctx, "slow", new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                PoolGroundTruthApp.sleep(Long.parseLong(req.getParameter("ms")));
                resp.getWriter().write("ok");
            }
        });
        ctx.addServletMappingDecoded("/slow", "slow");
        tomcat.start();
        System.out.println("listening on " + connector.getLocalPort());
        tomcat.getServer().await();
    }
}
