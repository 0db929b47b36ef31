package dev.tokenbroker.api.problem;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * Problems also for what is refused before the API's handlers run: Spring Security's firewall ({@code ..},
 * {@code //}, {@code ;} in a path, a disallowed method or header) and Tomcat's own refusals. Together with
 * {@link ProblemErrorController} every 4xx the application or the container renders is
 * {@code application/problem+json}.
 */
@Configuration(proxyBeanMethods = false)
public class ProblemErrorConfiguration {

    /** Picked up by Spring Security's {@code WebSecurity}; without it the firewall answers with a bare 400. */
    @Bean
    RequestRejectedHandler problemRequestRejectedHandler(ObjectMapper json) {
        return (request, response, rejected) -> {
            if (!response.isCommitted()) {
                // The rejection's message quotes the offending part of the request: not echoed.
                Problems.write(response, json, ProblemType.INVALID_REQUEST, "The request was rejected");
            }
        };
    }

    /**
     * Replaces the host's {@link ErrorReportValve} (Spring Boot adds a plain one) with {@link ProblemErrorReportValve}.
     * Runs after Boot's own customizer, which adds its valve in a context customizer of its own.
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReportValveCustomizer() {
        return new ProblemValveCustomizer();
    }

    static final class ProblemValveCustomizer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.addContextCustomizers(context -> {
                if (context.getParent() instanceof StandardHost host) {
                    for (Valve valve : host.getPipeline().getValves()) {
                        if (valve instanceof ErrorReportValve) {
                            host.getPipeline().removeValve(valve);
                        }
                    }
                    // The host adds a valve of this class on start unless one is there: ours is.
                    host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
                    host.getPipeline().addValve(new ProblemErrorReportValve());
                }
            });
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
