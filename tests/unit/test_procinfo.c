/* /proc parsing: stat with hostile comm, status, cgroup paths to units and
 * containers, namespace links, and the facts of a live process. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolvstale/procinfo.h"
#include "testutil.h"

static const char stat_tail[] =
	" S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 123456 1000 100 18446744073709551615";

static int parse_stat_with_comm(const char *comm, struct rs_proc_stat *st)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "4242 (%s)%s", comm, stat_tail);

	return rs_proc_parse_stat(buf, (size_t)n, st);
}

Test(proc_stat, plain)
{
	struct rs_proc_stat st;

	cr_assert_eq(parse_stat_with_comm("python3", &st), 0);
	cr_assert_str_eq(st.comm, "python3");
	cr_assert_eq(st.state, 'S');
	cr_assert_eq(st.ppid, 1);
	cr_assert_eq(st.starttime, 123456);
}

Test(proc_stat, comm_with_paren_and_fake_fields)
{
	struct rs_proc_stat st;

	/* A process can name itself "x) R 1 (": only the last ')' ends comm. */
	cr_assert_eq(parse_stat_with_comm("x) R 1 (", &st), 0);
	cr_assert_str_eq(st.comm, "x) R 1 (");
	cr_assert_eq(st.ppid, 1);
	cr_assert_eq(st.starttime, 123456);
}

Test(proc_stat, comm_with_newline_and_escape)
{
	struct rs_proc_stat st;

	cr_assert_eq(parse_stat_with_comm("a\nb\x1b[31m", &st), 0);
	cr_assert_str_eq(st.comm, "a\nb\x1b[31m");
	cr_assert_eq(st.starttime, 123456);
}

Test(proc_stat, truncated_and_garbage)
{
	struct rs_proc_stat st;
	const char *bad[] = {"",
			     "4242",
			     "4242 (x",
			     "4242 (x) S",
			     "4242 (x) S notanumber 2 3",
			     "4242 (x) SS 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(rs_proc_parse_stat(bad[i], strlen(bad[i]), &st), -EINVAL, "%zu", i);
}

Test(proc_stat, long_comm_is_cut)
{
	struct rs_proc_stat st;
	char comm[200];

	memset(comm, 'c', sizeof(comm) - 1);
	comm[sizeof(comm) - 1] = '\0';
	cr_assert_eq(parse_stat_with_comm(comm, &st), 0);
	cr_assert_eq(strlen(st.comm), RS_COMM_MAX - 1);
}

Test(proc_status, uid)
{
	const char s[] = "Name:\tx\nUmask:\t0022\nState:\tS\nUid:\t1000\t1001\t1002\t1003\nGid:\t0";
	int64_t uid = -1;

	cr_assert_eq(rs_proc_parse_status_uid(s, strlen(s), &uid), 0);
	cr_assert_eq(uid, 1000);
	cr_assert_eq(rs_proc_parse_status_uid("Name:\tx\n", 8, &uid), -EINVAL);
	cr_assert_eq(rs_proc_parse_status_uid("Uid:\tabc\n", 9, &uid), -EINVAL);
}

Test(proc_ns, link)
{
	cr_assert_eq(rs_parse_ns_link("net:[4026531840]"), 4026531840ULL);
	cr_assert_eq(rs_parse_ns_link("mnt:[12]"), 12);
	cr_assert_eq(rs_parse_ns_link("net:[]"), 0);
	cr_assert_eq(rs_parse_ns_link("net:[12x]"), 0);
	cr_assert_eq(rs_parse_ns_link("garbage"), 0);
}

static void cg(const char *text, struct rs_cgroup_info *o)
{
	cr_assert_eq(rs_cgroup_parse(text, strlen(text), o), 0, "%s", text);
}

Test(cgroup, system_service_unified)
{
	struct rs_cgroup_info o;

	cg("0::/system.slice/nginx.service\n", &o);
	cr_assert_str_eq(o.unit, "nginx.service");
	cr_assert(!o.user_unit);
	cr_assert_eq(o.container, RS_CONTAINER_NONE);
	cr_assert_str_eq(o.path, "/system.slice/nginx.service");
}

Test(cgroup, hybrid_prefers_name_systemd)
{
	struct rs_cgroup_info o;

	cg("12:pids:/system.slice/cron.service\n1:name=systemd:/system.slice/cron.service\n0::/\n",
	   &o);
	cr_assert_str_eq(o.unit, "cron.service");
}

Test(cgroup, session_scope)
{
	struct rs_cgroup_info o;

	cg("0::/user.slice/user-1000.slice/session-3.scope\n", &o);
	cr_assert_str_eq(o.unit, "session-3.scope");
	cr_assert(!o.user_unit);
}

Test(cgroup, user_unit)
{
	struct rs_cgroup_info o;

	cg("0::/user.slice/user-1000.slice/user@1000.service/app.slice/dbus-broker.service\n", &o);
	cr_assert_str_eq(o.unit, "dbus-broker.service");
	cr_assert(o.user_unit);
	cr_assert_eq(o.unit_uid, 1000);
}

Test(cgroup, docker_systemd_driver)
{
	struct rs_cgroup_info o;

	cg("0::/system.slice/"
	   "docker-3f2a1b9c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8.scope\n",
	   &o);
	cr_assert_eq(o.container, RS_CONTAINER_DOCKER);
	cr_assert_str_eq(o.container_id,
			 "3f2a1b9c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8");
	cr_assert_str_eq(o.unit, "");
}

Test(cgroup, docker_cgroupfs_driver)
{
	struct rs_cgroup_info o;

	cg("0::/docker/3f2a1b9c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8\n", &o);
	cr_assert_eq(o.container, RS_CONTAINER_DOCKER);
	cr_assert_eq(strlen(o.container_id), 64);
}

Test(cgroup, service_inside_container)
{
	struct rs_cgroup_info o;

	cg("0::/system.slice/"
	   "docker-3f2a1b9c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8"
	   ".scope/system.slice/named.service\n",
	   &o);
	cr_assert_eq(o.container, RS_CONTAINER_DOCKER);
	cr_assert_str_eq(o.unit, "named.service");
}

Test(cgroup, kubepods_containerd_systemd_driver)
{
	struct rs_cgroup_info o;

	cg("0::/kubepods.slice/kubepods-besteffort.slice/"
	   "kubepods-besteffort-pod8c1c4b3e_9a1f_4e2b_8d3c_1f2e3d4c5b6a.slice/"
	   "cri-containerd-aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44."
	   "scope\n",
	   &o);
	cr_assert_eq(o.container, RS_CONTAINER_CONTAINERD);
	cr_assert_str_eq(o.pod_uid, "8c1c4b3e-9a1f-4e2b-8d3c-1f2e3d4c5b6a");
	cr_assert_str_eq(o.container_id,
			 "aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44");
}

Test(cgroup, kubepods_cgroupfs_driver)
{
	struct rs_cgroup_info o;

	cg("0::/kubepods/burstable/pod8c1c4b3e-9a1f-4e2b-8d3c-1f2e3d4c5b6a/"
	   "aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44\n",
	   &o);
	cr_assert_eq(o.container, RS_CONTAINER_CONTAINERD);
	cr_assert_str_eq(o.pod_uid, "8c1c4b3e-9a1f-4e2b-8d3c-1f2e3d4c5b6a");
}

Test(cgroup, crio_and_podman_and_conmon)
{
	struct rs_cgroup_info o;

	cg("0::/kubepods.slice/kubepods-pod11111111_2222_3333_4444_555555555555.slice/"
	   "crio-bb11bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44.scope\n",
	   &o);
	cr_assert_eq(o.container, RS_CONTAINER_CRIO);
	cr_assert_str_eq(o.pod_uid, "11111111-2222-3333-4444-555555555555");
	cg("0::/machine.slice/"
	   "libpod-cc11bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44"
	   ".scope/container\n",
	   &o);
	cr_assert_eq(o.container, RS_CONTAINER_PODMAN);
	cr_assert_str_eq(o.container_id,
			 "cc11bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44");
	cg("0::/machine.slice/"
	   "libpod-conmon-cc11bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55ff66aa11bb22"
	   "cc33dd44.scope\n",
	   &o);
	cr_assert_eq(o.container, RS_CONTAINER_NONE, "conmon is not the container");
}

Test(cgroup, rootless_podman_user_slice)
{
	struct rs_cgroup_info o;

	cg("0::/user.slice/user-1000.slice/user@1000.service/user.slice/"
	   "libpod-dd11bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44.scope\n",
	   &o);
	cr_assert_eq(o.container, RS_CONTAINER_PODMAN);
	cr_assert(o.user_unit);
}

Test(cgroup, lxc)
{
	struct rs_cgroup_info o;

	cg("0::/lxc.payload.web1/system.slice/nginx.service\n", &o);
	cr_assert_eq(o.container, RS_CONTAINER_LXC);
	cr_assert_str_eq(o.container_id, "web1");
	cr_assert_str_eq(o.unit, "nginx.service");
}

Test(cgroup, root_and_garbage)
{
	struct rs_cgroup_info o;

	cg("0::/\n", &o);
	cr_assert_str_eq(o.unit, "");
	cr_assert_eq(o.container, RS_CONTAINER_NONE);
	cr_assert_eq(rs_cgroup_parse("nothing here", 12, &o), -EINVAL);
	cr_assert_eq(rs_cgroup_parse("", 0, &o), -EINVAL);
	/* Short hex is not a container id. */
	cg("0::/docker/abc\n", &o);
	cr_assert_eq(o.container, RS_CONTAINER_NONE);
}

Test(cgroup, hostile_long_path)
{
	struct rs_cgroup_info o;
	char buf[4096];

	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "0::/", 4);
	memcpy(buf + sizeof(buf) - 9, ".service", 8);
	buf[sizeof(buf) - 1] = '\n';
	cr_assert_eq(rs_cgroup_parse(buf, sizeof(buf), &o), 0);
	cr_assert_lt(strlen(o.path), sizeof(o.path));
}

Test(facts, self)
{
	struct rs_facts_ctx ctx = {0, 0, 0, 0, false};
	struct rs_proc_facts f;
	struct stat st;
	int proc = open("/proc", O_RDONLY | O_DIRECTORY);

	cr_assert_geq(proc, 0);
	cr_assert_eq(stat("/etc/resolv.conf", &st), 0);
	ctx.watched_dev = st.st_dev;
	ctx.watched_ino = st.st_ino;
	ctx.boot_ns = rs_proc_boot_ns(proc);
	ctx.clk_tck = sysconf(_SC_CLK_TCK);
	cr_assert_gt(ctx.boot_ns, 0);
	cr_assert_eq(rs_proc_read_facts(proc, getpid(), &ctx, &f), 0);
	cr_assert_eq(f.id.pid, getpid());
	cr_assert_gt(f.id.starttime, 0);
	cr_assert_gt(f.start_ns, ctx.boot_ns);
	cr_assert_not_null(f.cmdline);
	cr_assert_gt(f.netns, 0);
	cr_assert_gt(f.mntns, 0);
	cr_assert_eq(f.domain, RS_DOMAIN_HOST, "we see the watched file as the host's");
	rs_proc_facts_clear(&f);
	/* Another inode: "other". */
	ctx.watched_ino++;
	cr_assert_eq(rs_proc_read_facts(proc, getpid(), &ctx, &f), 0);
	cr_assert_eq(f.domain, RS_DOMAIN_OTHER);
	rs_proc_facts_clear(&f);
	cr_assert_eq(rs_proc_read_facts(proc, 0x7ffffff0, &ctx, &f), -ENOENT);
	close(proc);
}

Test(facts, where)
{
	struct rs_proc_facts f;
	char buf[128];

	memset(&f, 0, sizeof(f));
	rs_proc_facts_where(&f, buf, sizeof(buf));
	cr_assert_str_eq(buf, "-");
	strcpy(f.cg.unit, "nginx.service");
	rs_proc_facts_where(&f, buf, sizeof(buf));
	cr_assert_str_eq(buf, "nginx.service");
	f.cg.container = RS_CONTAINER_DOCKER;
	strcpy(f.cg.container_id, "3f2a1b9c4d5e6f708192");
	rs_proc_facts_where(&f, buf, sizeof(buf));
	cr_assert_str_eq(buf, "docker 3f2a1b9c4d5e");
}
