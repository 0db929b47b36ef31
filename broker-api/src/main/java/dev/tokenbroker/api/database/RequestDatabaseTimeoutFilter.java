package dev.tokenbroker.api.database;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;

/**
 * Marks the thread as serving an HTTP request for as long as the request's filter chain runs, so that
 * {@link FailFastDataSource} bounds every database read of the request by {@link DatabaseProperties#requestTimeout()}.
 * First in the chain: the token fetch's fast path and the security filters touch the database too.
 */
final class RequestDatabaseTimeoutFilter implements Filter {

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        boolean outer = FailFastDataSource.enterRequest();
        try {
            chain.doFilter(request, response);
        } finally {
            if (outer) {
                FailFastDataSource.exitRequest();
            }
        }
    }
}
