package dev.tokenbroker.api.eventprocessing;

import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Read models must not skip events. Axon's default listener error handler logs a failing event and
 * moves on, so a database hiccup (or a shutdown racing a batch) would leave a read model silently
 * behind its events. Propagating the error makes the processor roll back the batch with its token
 * and retry it (with back-off) until it applies.
 */
@Configuration(proxyBeanMethods = false)
class EventProcessingErrorPolicy {

    @Bean
    ConfigurerModule propagateEventHandlerErrors() {
        return configurer -> configurer.eventProcessing()
                .registerDefaultListenerInvocationErrorHandler(configuration -> PropagatingErrorHandler.instance());
    }
}
