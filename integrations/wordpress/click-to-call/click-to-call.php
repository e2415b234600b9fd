<?php
/**
 * Plugin Name:       Click to Call
 * Description:       The [click_to_call] shortcode: a "talk to us" button (the <click-to-call> element) wired to your token endpoint.
 * Version:           0.1.0
 * Requires at least: 6.0
 * Requires PHP:      7.4
 * License:           MIT
 * License URI:       https://opensource.org/licenses/MIT
 * Text Domain:       click-to-call
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const CLICK_TO_CALL_OPTION = 'click_to_call_settings';
const CLICK_TO_CALL_HANDLE = 'click-to-call';

/** Settings as saved, cleaned again on the way out (an option can be written by other code). */
function click_to_call_settings() {
	return click_to_call_sanitize_settings( get_option( CLICK_TO_CALL_OPTION, array() ) );
}

/**
 * An http(s) URL, or a path on this site ("/c2c"); anything else (javascript:, data:, a
 * protocol-relative "//host" or "/\host" that would leave the site) becomes ''.
 */
function click_to_call_clean_url( $value ) {
	if ( ! is_string( $value ) ) {
		return '';
	}
	$value = trim( $value );
	if ( '' === $value ) {
		return '';
	}
	if ( '/' === $value[0] ) {
		if ( preg_match( '#^/[/\\\\]#', $value ) ) {
			return '';
		}
	} elseif ( ! in_array( strtolower( (string) wp_parse_url( $value, PHP_URL_SCHEME ) ), array( 'http', 'https' ), true ) ) {
		return '';
	}
	$clean = esc_url_raw( $value, array( 'http', 'https' ) );
	return 0 === strpos( $clean, '//' ) ? '' : $clean;
}

/** The Settings API's sanitize callback: only the two known keys, both cleaned URLs. */
function click_to_call_sanitize_settings( $input ) {
	$input = is_array( $input ) ? $input : array();
	return array(
		'endpoint'   => click_to_call_clean_url( isset( $input['endpoint'] ) ? $input['endpoint'] : '' ),
		'script_url' => click_to_call_clean_url( isset( $input['script_url'] ) ? $input['script_url'] : '' ),
	);
}

/**
 * The widget's module script. Registered without a version: WordPress would append "?ver=",
 * and the widget's lazy chunks import the entry back as "./click-to-call.js" (no query), so a
 * second copy of the entry would load and define the elements twice.
 */
function click_to_call_register_script() {
	$url = click_to_call_settings()['script_url'];
	if ( '' === $url ) {
		return;
	}
	if ( function_exists( 'wp_register_script_module' ) ) {
		wp_register_script_module( CLICK_TO_CALL_HANDLE, $url, array(), null );
	} else {
		// Before WordPress 6.5: a classic registration, turned into a module by the filter below.
		wp_register_script( CLICK_TO_CALL_HANDLE, $url, array(), null, true );
	}
}
add_action( 'init', 'click_to_call_register_script' );

function click_to_call_module_tag( $tag, $handle ) {
	if ( CLICK_TO_CALL_HANDLE !== $handle || false !== strpos( $tag, 'type="module"' ) ) {
		return $tag;
	}
	return preg_replace( '/<script\b(?:\s+type=(["\'])text\/javascript\1)?/', '<script type="module"', $tag, 1 );
}
add_filter( 'script_loader_tag', 'click_to_call_module_tag', 10, 2 );

/**
 * [click_to_call destination="sales" mode="callback" locale="zh-CN" label="Call us" status="yes"]
 *
 * The endpoint and the script come from the settings page only: a post author chooses what is
 * called, never which script runs or where visitors' requests go.
 */
function click_to_call_shortcode( $atts ) {
	static $count = 0;
	$atts     = shortcode_atts(
		array(
			'destination' => '',
			'mode'        => '',
			'locale'      => '',
			'label'       => '',
			'status'      => 'yes',
			'disabled'    => '',
		),
		is_array( $atts ) ? $atts : array(),
		'click_to_call'
	);
	$settings = click_to_call_settings();
	if ( '' === $settings['endpoint'] || '' === $settings['script_url'] ) {
		// Visitors see nothing; editors see why.
		return current_user_can( 'manage_options' )
			? '<p class="click-to-call-unconfigured">' . esc_html__( 'Click to Call: set the token endpoint and script URL under Settings, Click to Call.', 'click-to-call' ) . '</p>'
			: '';
	}
	if ( function_exists( 'wp_enqueue_script_module' ) ) {
		wp_enqueue_script_module( CLICK_TO_CALL_HANDLE );
	} else {
		wp_enqueue_script( CLICK_TO_CALL_HANDLE );
	}

	++$count;
	$id         = 'click-to-call-' . $count;
	$attributes = array(
		'id'          => $id,
		'endpoint'    => $settings['endpoint'],
		// Destination keys are names from the endpoint's configuration, never numbers to dial.
		'destination' => preg_replace( '/[^A-Za-z0-9._-]/', '', (string) $atts['destination'] ),
	);
	if ( in_array( $atts['mode'], array( 'webrtc', 'callback' ), true ) ) {
		$attributes['mode'] = $atts['mode'];
	}
	$locale = preg_replace( '/[^A-Za-z0-9_-]/', '', (string) $atts['locale'] );
	if ( '' !== $locale ) {
		$attributes['locale'] = $locale;
	}

	$html = '<click-to-call';
	foreach ( $attributes as $name => $value ) {
		$html .= ' ' . $name . '="' . esc_attr( $value ) . '"';
	}
	if ( in_array( strtolower( (string) $atts['disabled'] ), array( 'yes', 'true', '1', 'disabled' ), true ) ) {
		$html .= ' disabled';
	}
	$html .= '>';
	if ( '' !== trim( (string) $atts['label'] ) ) {
		$html .= '<span slot="label">' . esc_html( $atts['label'] ) . '</span>';
	}
	$html .= '</click-to-call>';
	if ( ! in_array( strtolower( (string) $atts['status'] ), array( 'no', 'false', '0' ), true ) ) {
		$html .= '<call-status for="' . esc_attr( $id ) . '"></call-status>';
	}
	return $html;
}
add_shortcode( 'click_to_call', 'click_to_call_shortcode' );

// Settings, Click to Call: the two URLs, through the Settings API (nonce, capability, sanitizing).
function click_to_call_register_settings() {
	register_setting(
		'click_to_call',
		CLICK_TO_CALL_OPTION,
		array(
			'type'              => 'array',
			'sanitize_callback' => 'click_to_call_sanitize_settings',
			'default'           => array(
				'endpoint'   => '',
				'script_url' => '',
			),
		)
	);
	add_settings_section( 'click_to_call_main', __( 'Where the widget lives', 'click-to-call' ), 'click_to_call_section_text', 'click_to_call' );
	add_settings_field( 'click_to_call_endpoint', __( 'Token endpoint URL', 'click-to-call' ), 'click_to_call_field', 'click_to_call', 'click_to_call_main', array( 'key' => 'endpoint', 'example' => 'https://example.com/c2c' ) );
	add_settings_field( 'click_to_call_script_url', __( 'Script URL', 'click-to-call' ), 'click_to_call_field', 'click_to_call', 'click_to_call_main', array( 'key' => 'script_url', 'example' => 'https://cdn.jsdelivr.net/npm/click-to-call@0.1.0/dist/click-to-call.js' ) );
}
add_action( 'admin_init', 'click_to_call_register_settings' );

function click_to_call_section_text() {
	echo '<p>' . esc_html__( 'The token endpoint is your c2c-server (its allowedOrigins must include this site). The script is dist/click-to-call.js from a CDN or from your own server, with its chunk files beside it.', 'click-to-call' ) . '</p>';
}

function click_to_call_field( $args ) {
	$key   = $args['key'];
	$value = click_to_call_settings()[ $key ];
	printf(
		'<input type="url" class="regular-text code" id="click_to_call_%1$s" name="%2$s[%1$s]" value="%3$s" placeholder="%4$s" />',
		esc_attr( $key ),
		esc_attr( CLICK_TO_CALL_OPTION ),
		esc_attr( $value ),
		esc_attr( $args['example'] )
	);
}

function click_to_call_settings_page() {
	if ( ! current_user_can( 'manage_options' ) ) {
		return;
	}
	echo '<div class="wrap"><h1>' . esc_html__( 'Click to Call', 'click-to-call' ) . '</h1><form action="options.php" method="post">';
	settings_fields( 'click_to_call' );
	do_settings_sections( 'click_to_call' );
	submit_button();
	echo '</form></div>';
}

function click_to_call_admin_menu() {
	add_options_page( __( 'Click to Call', 'click-to-call' ), __( 'Click to Call', 'click-to-call' ), 'manage_options', 'click_to_call', 'click_to_call_settings_page' );
}
add_action( 'admin_menu', 'click_to_call_admin_menu' );
