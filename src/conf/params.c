/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One static table of parameter names and raw defaults. Defaults are
 * Postfix's (3.x, compatibility level 3.6 and later) except where
 * DESIGN.md decides otherwise, such as the empty smtp_tls_security_level
 * that means "verified STARTTLS when offered". */
#include <config.h>

#include <string.h>

#include "base/str.h"
#include "conf/params.h"

#define U PARAM_USED
#define X PARAM_UNUSED
#define R PARAM_RAW

static const struct param_info table[] = {
	/* Routing. */
	{ "relayhost", "", U },
	{ "smtp_fallback_relay", "$fallback_relay", U },
	{ "fallback_relay", "", U },
	{ "sender_dependent_relayhost_maps", "", U },
	{ "empty_address_relayhost_maps_lookup_key", "<>", U },
	{ "transport_maps", "", U },
	{ "default_transport", "smtp", X },
	{ "relay_transport", "relay", X },
	{ "smtp_tcp_port", "smtp", U },
	{ "known_tcp_ports", "lmtp=24, smtp=25, smtps=submissions=465, submission=587", U },
	{ "inet_protocols", "all", U },
	{ "smtp_address_preference", "any", U },
	{ "smtp_bind_address", "", U },
	{ "smtp_bind_address6", "", U },
	{ "smtp_bind_address_enforce", "no", U },
	{ "smtp_mx_address_limit", "5", U },
	{ "smtp_mx_session_limit", "2", U },
	{ "smtp_dns_support_level", "", U },
	{ "disable_dns_lookups", "no", U },
	/* SASL. */
	{ "smtp_sasl_auth_enable", "no", U },
	{ "smtp_sasl_password_maps", "", U },
	{ "smtp_sasl_security_options", "noplaintext, noanonymous", U },
	{ "smtp_sasl_tls_security_options", "$smtp_sasl_security_options", U },
	{ "smtp_sasl_tls_verified_security_options", "$smtp_sasl_tls_security_options", U },
	{ "smtp_sasl_mechanism_filter", "", U },
	{ "smtp_sender_dependent_authentication", "no", U },
	{ "smtp_sasl_auth_soft_bounce", "no", U },
	{ "smtp_sasl_type", "cyrus", X },
	{ "smtp_sasl_path", "", X },
	{ "smtp_sasl_password_result_delimiter", ":", U },
	{ "smtp_sasl_auth_cache_name", "", U },
	{ "smtp_sasl_auth_cache_time", "90d", U },
	{ "smtp_sasl_oauth_token_command", "", U },    /* relaymail's own */
	{ "smtp_sasl_oauth_token_timeout", "30s", U }, /* relaymail's own */
	/* TLS. */
	{ "smtp_tls_security_level", "", U },
	{ "smtp_tls_wrappermode", "no", U },
	{ "smtp_tls_CAfile", "", U },
	{ "smtp_tls_CApath", "", U },
	{ "smtp_tls_cert_file", "", U },
	{ "smtp_tls_key_file", "$smtp_tls_cert_file", U },
	{ "smtp_tls_servername", "", U },
	{ "smtp_tls_mandatory_protocols", ">=TLSv1.2", U },
	{ "smtp_tls_protocols", ">=TLSv1.2", U },
	{ "smtp_tls_fingerprint_digest",
	  "${{$compatibility_level} <level {3.6} ? {md5} : {sha256}}", U },
	{ "smtp_tls_fingerprint_cert_match", "", U },
	{ "smtp_tls_verify_cert_match", "hostname", U },
	{ "smtp_tls_secure_cert_match", "nexthop, dot-nexthop", U },
	{ "smtp_tls_loglevel", "0", U },
	{ "smtp_tls_ciphers", "medium", U },
	{ "smtp_tls_mandatory_ciphers", "medium", U },
	{ "smtp_tls_exclude_ciphers", "", U },
	{ "smtp_tls_mandatory_exclude_ciphers", "", U },
	{ "smtp_tls_note_starttls_offer", "no", U },
	{ "smtp_tls_policy_maps", "", U },
	{ "smtp_tls_session_cache_database", "", X },
	{ "smtp_use_tls", "no", U },
	{ "smtp_enforce_tls", "no", U },
	{ "smtp_tls_enforce_peername", "yes", U },
	/* Names and addresses. */
	{ "myhostname", NULL, PARAM_DERIVED },
	{ "mydomain", NULL, PARAM_DERIVED },
	{ "myorigin", "$myhostname", U },
	{ "mydestination", "$myhostname, localhost.$mydomain, localhost", U },
	{ "inet_interfaces", "all", U },
	{ "proxy_interfaces", "", U },
	{ "append_at_myorigin", "yes", U },
	{ "append_dot_mydomain", "${{$compatibility_level} <level {1} ? {yes} : {no}}", U },
	{ "swap_bangpath", "yes", U },
	{ "allow_percent_hack", "yes", U },
	{ "recipient_delimiter", "", U },
	{ "propagate_unmatched_extensions", "canonical, virtual", U },
	{ "canonical_maps", "", U },
	{ "sender_canonical_maps", "", U },
	{ "recipient_canonical_maps", "", U },
	{ "canonical_classes",
	  "envelope_sender, envelope_recipient, header_sender, header_recipient", U },
	{ "sender_canonical_classes", "envelope_sender, header_sender", U },
	{ "recipient_canonical_classes", "envelope_recipient, header_recipient", U },
	{ "masquerade_domains", "", U },
	{ "masquerade_exceptions", "", U },
	{ "masquerade_classes", "envelope_sender, header_sender, header_recipient", U },
	{ "smtp_generic_maps", "", U },
	{ "alias_maps", "hash:/etc/aliases", U },
	{ "alias_database", "", X },
	{ "luser_relay", "", R }, /* local(8) expands it per recipient */
	{ "always_bcc", "", U },
	/* SMTP dialogue. */
	{ "smtp_helo_name", "$myhostname", U },
	{ "smtp_connect_timeout", "30s", U },
	{ "smtp_helo_timeout", "300s", U },
	{ "smtp_starttls_timeout", "300s", U },
	{ "smtp_mail_timeout", "300s", U },
	{ "smtp_rcpt_timeout", "300s", U },
	{ "smtp_data_init_timeout", "120s", U },
	{ "smtp_data_xfer_timeout", "180s", U },
	{ "smtp_data_done_timeout", "600s", U },
	{ "smtp_quit_timeout", "300s", U },
	{ "smtp_connection_reuse_count_limit", "0", U },
	{ "smtp_connection_reuse_time_limit", "300s", U },
	{ "smtpd_timeout", "300s", U },
	{ "smtp_skip_5xx_greeting", "yes", U },
	{ "smtp_always_send_ehlo", "yes", U },
	{ "smtp_never_send_ehlo", "no", U },
	{ "smtp_discard_ehlo_keywords", "", U },
	{ "smtp_line_length_limit", "998", U },
	{ "smtputf8_enable", "${{$compatibility_level} <level {1} ? {no} : {yes}}", U },
	{ "smtputf8_autodetect_classes", "sendmail, verify", U },
	{ "soft_bounce", "no", U },
	/* Message intake. */
	{ "message_size_limit", "10240000", U },
	{ "header_size_limit", "102400", U },
	{ "line_length_limit", "2048", U },
	{ "sendmail_fix_line_endings", "always", U },
	{ "message_drop_headers", "bcc, content-length, resent-bcc, return-path", U },
	{ "always_add_missing_headers", "no", U },
	{ "header_from_format", "standard", U },
	{ "undisclosed_recipients_header", "", U },
	/* Program. */
	/* Postfix's default is 0; relaymail's defaults are those of 3.6. */
	{ "compatibility_level", "3.6", U },
	{ "syslog_name", "relaymail", U },
	{ "syslog_facility", "mail", U },
	{ "maillog_file", "", U }, /* Postfix 3.4 */
	{ "maillog_file_prefixes", "/var, /dev/stdout", X },
	{ "maillog_file_compressor", "gzip", X },
	{ "maillog_file_rotate_suffix", "%Y%m%d-%H%M%S", X },
	{ "default_database_type", "hash", X },
	{ "debug_peer_list", "", U },
	{ "debug_peer_level", "2", U },
	{ "dead_letter_file", "", U },
	{ "dead_letter_spool", SPOOLDIR, U }, /* relaymail's own */
	{ "relaymail_deadline", "15m", U },
	/* Postfix's own plumbing, known and ignored. */
	{ "queue_directory", "/var/spool/postfix", X },
	{ "command_directory", "/usr/sbin", X },
	{ "daemon_directory", "/usr/lib/postfix/sbin", X },
	{ "data_directory", "/var/lib/postfix", X },
	{ "mail_owner", "postfix", X },
	{ "setgid_group", "postdrop", X },
	{ "mynetworks", "", X },
	{ "mynetworks_style", "host", X },
	{ "readme_directory", "no", X },
	{ "html_directory", "no", X },
	{ "manpage_directory", "/usr/share/man", X },
	{ "sample_directory", "/etc/postfix", X },
	{ "biff", "yes", X },
	{ "mailbox_size_limit", "51200000", X },
	{ "mailbox_command", "", X },
	{ "home_mailbox", "", X },
	{ "mail_spool_directory", "/var/mail", X },
	{ "relay_domains", "", X },
	{ "shlib_directory", "no", X },
	{ "meta_directory", "/etc/postfix", X },
	{ "authorized_submit_users", "static:anyone", U },
	{ "delay_warning_time", "0h", X },
	{ "maximal_queue_lifetime", "5d", X },
	{ "bounce_queue_lifetime", "5d", X },
	{ "notify_classes", "resource, software", X },
	{ "disable_vrfy_command", "no", X },
	{ "mail_name", "Postfix", X },
	{ "sender_bcc_maps", "", U },
	{ "recipient_bcc_maps", "", U },
	{ "header_checks", "", U },
	{ "mime_header_checks", "$header_checks", U },
	{ "nested_header_checks", "$header_checks", U },
	{ "smtp_header_checks", "", U },
	{ "smtp_mime_header_checks", "", U },
	{ "smtp_nested_header_checks", "", U },
	{ "smtp_body_checks", "", U },
	{ "body_checks", "", U },
	{ "body_checks_size_limit", "51200", U },
	{ "non_smtpd_milters", "", U },
	{ "milter_connect_timeout", "30s", U },
	{ "milter_command_timeout", "30s", U },
	{ "milter_content_timeout", "300s", U },
	{ "milter_protocol", "6", U },
	{ "milter_default_action", "tempfail", U },
	{ "milter_macro_daemon_name", "$myhostname", U },
	{ "milter_macro_v", "relaymail " PACKAGE_VERSION, U },
	{ "milter_macro_defaults", "", U },
	{ "milter_connect_macros", "j {daemon_name} {daemon_addr} v _", U },
	{ "milter_helo_macros", "{tls_version} {cipher} {cipher_bits} {cert_subject} {cert_issuer}",
	  U },
	{ "milter_mail_macros",
	  "i {auth_type} {auth_authen} {auth_author} {mail_addr} {mail_host} "
	  "{mail_mailer}",
	  U },
	{ "milter_rcpt_macros", "i {rcpt_addr} {rcpt_host} {rcpt_mailer}", U },
	{ "milter_data_macros", "i", U },
	{ "milter_end_of_header_macros", "i", U },
	{ "milter_end_of_data_macros", "i", U },
	{ "milter_unknown_command_macros", "", X },
	{ "milter_header_checks", "", U },
	{ "local_recipient_maps", "", X },
	{ "unknown_local_recipient_reject_code", "550", X },
};

#undef U
#undef X
#undef R

/* Families of Postfix names that belong to servers relaymail does not
 * have: anything starting with these is known and ignored. */
static const char *const foreign_prefixes[] = {
	"smtpd_",	   "lmtp_",
	"postscreen_",	   "tlsproxy_",
	"pickup_",	   "virtual_",
	"masquerade_",	   "local_",
	"anvil_",	   "qmgr_",
	"dnsblog_",	   "postlog_",
	"multi_instance_", "default_destination_",
};

/* Postfix parameters outside the table and its prefixes that a sample
 * main.cf sets or refers to (debugger_command holds $process_name). */
static const char *const foreign_names[] = {
	"debugger_command", "sendmail_path", "newaliases_path", "mailq_path",
	"process_id",	    "process_name",  "mail_version",	"mail_release_date",
};

static bool foreign_name(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(foreign_names) / sizeof(foreign_names[0]); i++)
		if (strncmp(name, foreign_names[i], len) == 0 && foreign_names[i][len] == '\0')
			return true;
	return false;
}

const struct param_info *params_table(size_t *count)
{
	*count = sizeof(table) / sizeof(table[0]);
	return table;
}

const struct param_info *params_find(const char *name)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

const struct param_info *params_find_len(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strncmp(table[i].name, name, len) == 0 && table[i].name[len] == '\0')
			return &table[i];
	return NULL;
}

bool params_is_foreign_len(const char *name, size_t len)
{
	if (foreign_name(name, len))
		return true;
	for (size_t i = 0; i < sizeof(foreign_prefixes) / sizeof(foreign_prefixes[0]); i++)
		if (len >= strlen(foreign_prefixes[i]) &&
		    strncmp(name, foreign_prefixes[i], strlen(foreign_prefixes[i])) == 0)
			return true;
	return false;
}

bool params_is_foreign(const char *name)
{
	if (foreign_name(name, strlen(name)))
		return true;
	for (size_t i = 0; i < sizeof(foreign_prefixes) / sizeof(foreign_prefixes[0]); i++)
		if (strncmp(name, foreign_prefixes[i], strlen(foreign_prefixes[i])) == 0)
			return true;
	return false;
}
