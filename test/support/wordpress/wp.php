<?php
/**
 * A test double of WordPress: just the functions the click-to-call plugin calls, written to
 * behave as WordPress 6.x does for the inputs the tests give (escaping, option storage, hooks,
 * script and script-module printing). Not WordPress: the real escaping functions do more (for
 * example invalid UTF-8 handling), the shortcode parser is not here (callbacks get the parsed
 * attribute array WordPress would pass).
 *
 * WP_TEST_LEGACY=1 leaves out the script-modules API (WordPress before 6.5).
 */

define( 'ABSPATH', __DIR__ . '/' );

$GLOBALS['wp_test'] = array(
	'actions'     => array(),
	'filters'     => array(),
	'shortcodes'  => array(),
	'options'     => array(),
	'settings'    => array(),
	'sections'    => array(),
	'fields'      => array(),
	'pages'       => array(),
	'scripts'     => array(),
	'modules'     => array(),
	'can'         => false,
);

function add_action( $hook, $callback, $priority = 10, $args = 1 ) {
	$GLOBALS['wp_test']['actions'][ $hook ][ $priority ][] = array( $callback, $args );
	return true;
}
function add_filter( $hook, $callback, $priority = 10, $args = 1 ) {
	$GLOBALS['wp_test']['filters'][ $hook ][ $priority ][] = array( $callback, $args );
	return true;
}
function do_action( $hook, ...$args ) {
	$hooks = isset( $GLOBALS['wp_test']['actions'][ $hook ] ) ? $GLOBALS['wp_test']['actions'][ $hook ] : array();
	ksort( $hooks );
	foreach ( $hooks as $callbacks ) {
		foreach ( $callbacks as $entry ) {
			call_user_func_array( $entry[0], array_slice( $args, 0, $entry[1] ) );
		}
	}
}
function apply_filters( $hook, $value, ...$args ) {
	$hooks = isset( $GLOBALS['wp_test']['filters'][ $hook ] ) ? $GLOBALS['wp_test']['filters'][ $hook ] : array();
	ksort( $hooks );
	foreach ( $hooks as $callbacks ) {
		foreach ( $callbacks as $entry ) {
			$value = call_user_func_array( $entry[0], array_slice( array_merge( array( $value ), $args ), 0, $entry[1] ) );
		}
	}
	return $value;
}

function add_shortcode( $tag, $callback ) {
	$GLOBALS['wp_test']['shortcodes'][ $tag ] = $callback;
}
/** What do_shortcode() does once it has parsed `[tag a="b"]`: call the callback. */
function wp_test_render_shortcode( $tag, $atts ) {
	return call_user_func( $GLOBALS['wp_test']['shortcodes'][ $tag ], $atts, '', $tag );
}
function shortcode_atts( $pairs, $atts, $shortcode = '' ) {
	$atts = (array) $atts;
	$out  = array();
	foreach ( $pairs as $name => $default ) {
		$out[ $name ] = array_key_exists( $name, $atts ) ? $atts[ $name ] : $default;
	}
	return apply_filters( "shortcode_atts_{$shortcode}", $out, $pairs, $atts, $shortcode );
}

function get_option( $name, $default = false ) {
	return array_key_exists( $name, $GLOBALS['wp_test']['options'] ) ? $GLOBALS['wp_test']['options'][ $name ] : $default;
}
/** As options.php does on save: the registered sanitize callback runs first. */
function update_option( $name, $value ) {
	if ( isset( $GLOBALS['wp_test']['settings'][ $name ]['sanitize_callback'] ) ) {
		$value = call_user_func( $GLOBALS['wp_test']['settings'][ $name ]['sanitize_callback'], $value );
	}
	$GLOBALS['wp_test']['options'][ $name ] = $value;
	return true;
}
function delete_option( $name ) {
	unset( $GLOBALS['wp_test']['options'][ $name ] );
	return true;
}
function is_multisite() {
	return false;
}

function current_user_can( $capability ) {
	return $GLOBALS['wp_test']['can'];
}

// WordPress's _wp_specialchars( $text, ENT_QUOTES ): no double encoding of existing entities.
function esc_attr( $text ) {
	return htmlspecialchars( (string) $text, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8', false );
}
function esc_html( $text ) {
	return esc_attr( $text );
}
function __( $text, $domain = 'default' ) {
	return $text;
}
function esc_html__( $text, $domain = 'default' ) {
	return esc_html( $text );
}
function wp_parse_url( $url, $component = -1 ) {
	return parse_url( $url, $component );
}
/** esc_url( $url, $protocols, 'db' ): WordPress's character filter and protocol allow-list. */
function esc_url_raw( $url, $protocols = null ) {
	$url = trim( str_replace( ' ', '%20', ltrim( (string) $url ) ) );
	if ( '' === $url ) {
		return '';
	}
	$url = preg_replace( '|[^a-z0-9-~+_.?#=!&;,/:%@$\|*\'()\[\]\\x80-\\xff]|i', '', $url );
	if ( '' === $url ) {
		return '';
	}
	if ( false === strpos( $url, ':' ) && ! in_array( $url[0], array( '/', '#', '?' ), true ) && ! preg_match( '/^[a-z0-9-]+?\.php/i', $url ) ) {
		$url = 'http://' . $url;
	}
	if ( '/' !== $url[0] ) {
		$protocols = is_array( $protocols ) ? $protocols : array( 'http', 'https', 'mailto', 'tel' );
		if ( preg_match( '/^([^:\/?#]+):/', $url, $m ) && ! in_array( strtolower( $m[1] ), $protocols, true ) ) {
			return '';
		}
	}
	return $url;
}

function register_setting( $group, $name, $args = array() ) {
	$GLOBALS['wp_test']['settings'][ $name ] = $args + array( 'group' => $group );
}
function add_settings_section( $id, $title, $callback, $page ) {
	$GLOBALS['wp_test']['sections'][ $page ][ $id ] = array( $title, $callback );
}
function add_settings_field( $id, $title, $callback, $page, $section, $args = array() ) {
	$GLOBALS['wp_test']['fields'][ $page ][ $section ][ $id ] = array( $title, $callback, $args );
}
function settings_fields( $group ) {
	echo '<input type="hidden" name="option_page" value="' . esc_attr( $group ) . '" /><input type="hidden" name="_wpnonce" value="test-nonce" />';
}
function do_settings_sections( $page ) {
	foreach ( $GLOBALS['wp_test']['sections'][ $page ] as $id => $section ) {
		echo '<h2>' . esc_html( $section[0] ) . '</h2>';
		call_user_func( $section[1] );
		echo '<table class="form-table" role="presentation">';
		foreach ( $GLOBALS['wp_test']['fields'][ $page ][ $id ] as $field ) {
			echo '<tr><th scope="row">' . esc_html( $field[0] ) . '</th><td>';
			call_user_func( $field[1], $field[2] );
			echo '</td></tr>';
		}
		echo '</table>';
	}
}
function submit_button() {
	echo '<input type="submit" name="submit" id="submit" class="button button-primary" value="Save Changes" />';
}
function add_options_page( $page_title, $menu_title, $capability, $slug, $callback ) {
	$GLOBALS['wp_test']['pages'][ $slug ] = array( $capability, $callback );
	return 'settings_page_' . $slug;
}

function wp_register_script( $handle, $src, $deps = array(), $ver = false, $in_footer = false ) {
	$GLOBALS['wp_test']['scripts'][ $handle ] = array( 'src' => $src, 'ver' => $ver, 'enqueued' => false );
	return true;
}
function wp_enqueue_script( $handle ) {
	if ( isset( $GLOBALS['wp_test']['scripts'][ $handle ] ) ) {
		$GLOBALS['wp_test']['scripts'][ $handle ]['enqueued'] = true;
	}
}
if ( ! getenv( 'WP_TEST_LEGACY' ) ) {
	function wp_register_script_module( $id, $src, $deps = array(), $version = false ) {
		$GLOBALS['wp_test']['modules'][ $id ] = array( 'src' => $src, 'ver' => $version, 'enqueued' => false );
	}
	function wp_enqueue_script_module( $id ) {
		if ( isset( $GLOBALS['wp_test']['modules'][ $id ] ) ) {
			$GLOBALS['wp_test']['modules'][ $id ]['enqueued'] = true;
		}
	}
}

/** A version added the way WordPress adds it: false is the WordPress version, null none. */
function wp_test_versioned( $src, $ver ) {
	if ( null === $ver ) {
		return $src;
	}
	return $src . ( false === strpos( $src, '?' ) ? '?' : '&' ) . 'ver=' . ( false === $ver ? '6.8' : $ver );
}
/** What wp_head / wp_footer print for the enqueued scripts and modules. */
function wp_test_print_scripts() {
	$html = '';
	foreach ( $GLOBALS['wp_test']['modules'] as $id => $module ) {
		if ( $module['enqueued'] ) {
			$html .= '<script type="module" src="' . esc_attr( wp_test_versioned( $module['src'], $module['ver'] ) ) . '" id="' . esc_attr( $id ) . '-js-module"></script>' . "\n";
		}
	}
	foreach ( $GLOBALS['wp_test']['scripts'] as $handle => $script ) {
		if ( $script['enqueued'] ) {
			$src   = wp_test_versioned( $script['src'], $script['ver'] );
			$tag   = '<script src="' . esc_attr( $src ) . '" id="' . esc_attr( $handle ) . '-js"></script>' . "\n";
			$html .= apply_filters( 'script_loader_tag', $tag, $handle, $src );
		}
	}
	return $html;
}
