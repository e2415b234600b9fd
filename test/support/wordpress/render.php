<?php
/**
 * Drives the click-to-call plugin inside the WordPress test double (wp.php). Reads a JSON job
 * on stdin, answers JSON on stdout:
 *   in:  { plugin, options?, can?, shortcodes?: [atts...], save?: [input...], settingsPage?, uninstall? }
 *   out: { shortcodes: [html...], scripts: "<script...>", saved: [...], settingsPage, optionAfterUninstall, setting }
 */
require __DIR__ . '/wp.php';

$job = json_decode( stream_get_contents( STDIN ), true );
if ( ! is_array( $job ) ) {
	fwrite( STDERR, "render.php: the job is not JSON\n" );
	exit( 2 );
}
if ( isset( $job['options'] ) ) {
	$GLOBALS['wp_test']['options']['click_to_call_settings'] = $job['options'];
}
$GLOBALS['wp_test']['can'] = ! empty( $job['can'] );

require $job['plugin'] . '/click-to-call.php';
do_action( 'init' );
do_action( 'admin_init' );
do_action( 'admin_menu' );

$out = array( 'shortcodes' => array(), 'saved' => array() );
foreach ( isset( $job['shortcodes'] ) ? $job['shortcodes'] : array() as $atts ) {
	$out['shortcodes'][] = wp_test_render_shortcode( 'click_to_call', $atts );
}
$out['scripts'] = wp_test_print_scripts();
foreach ( isset( $job['save'] ) ? $job['save'] : array() as $input ) {
	update_option( 'click_to_call_settings', $input );
	$out['saved'][] = get_option( 'click_to_call_settings' );
}
$setting        = $GLOBALS['wp_test']['settings']['click_to_call_settings'];
$out['setting'] = array(
	'group'    => $setting['group'],
	'sanitize' => $setting['sanitize_callback'],
	'page'     => isset( $GLOBALS['wp_test']['pages']['click_to_call'] ) ? $GLOBALS['wp_test']['pages']['click_to_call'][0] : null,
);
if ( ! empty( $job['settingsPage'] ) ) {
	ob_start();
	call_user_func( $GLOBALS['wp_test']['pages']['click_to_call'][1] );
	$out['settingsPage'] = ob_get_clean();
}
if ( ! empty( $job['uninstall'] ) ) {
	define( 'WP_UNINSTALL_PLUGIN', 'click-to-call/click-to-call.php' );
	require $job['plugin'] . '/uninstall.php';
	$out['optionAfterUninstall'] = get_option( 'click_to_call_settings', null );
}
echo json_encode( $out, JSON_UNESCAPED_SLASHES );
