/**
 * The local web UI: an HTTP server on Netty that serves the static app (ES modules and CSS under
 * {@code dev/wsdebug/ui/app/}, no build step) and a JSON API over capture stores, plus a live feed
 * (server-sent events) for live sources. Every request carries the per-run token; the Host header
 * must name the listener. See {@code docs/UI-API.md} for the API.
 */
package dev.wsdebug.ui;
