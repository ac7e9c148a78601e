package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/jackc/pgx/v5"

	"github.com/hoaphong/phongchongmaidam/bench/internal/loadgen"
	"github.com/hoaphong/phongchongmaidam/internal/pgcluster"
)

// postgresDB is one database on the run's throwaway cluster.
type postgresDB struct {
	cluster *pgcluster.Cluster
	dsn     string
}

func (p *postgresDB) size(ctx context.Context) (int64, error) {
	conn, err := pgx.Connect(ctx, p.dsn)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	var n int64
	err = conn.QueryRow(ctx, `SELECT pg_database_size(current_database())`).Scan(&n)
	return n, err
}

// measurePostgres starts a throwaway cluster of Debian's PostgreSQL
// (internal/pgcluster: fsync on, synchronous_commit on, a unix socket,
// on this machine's disk like the SQLite runs) and measures `formsvc
// serve --db postgres://…`, one instance, then two on a second database
// with the clients split between them.
func measurePostgres(ctx context.Context, out io.Writer, bin string, o options) (one, two []loadgen.Result, err error) {
	cluster, err := pgcluster.Start(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer cluster.Stop()
	for i, n := range []int{1, 2} {
		name := fmt.Sprintf("load%d", n)
		dsn, err := cluster.CreateDatabase(ctx, name)
		if err != nil {
			return nil, nil, err
		}
		dir := filepath.Join(o.dir, "pg"+name)
		title := fmt.Sprintf("formsvc serve on PostgreSQL (%s), one instance", filepath.Base(filepath.Dir(cluster.Bin)))
		if n == 2 {
			title = fmt.Sprintf("formsvc serve on PostgreSQL (%s), two instances on one database, clients split between them", filepath.Base(filepath.Dir(cluster.Bin)))
		}
		r, err := measure(ctx, out, target{title: title, bin: bin, args: loadgen.ServeArgsOn(dir, dsn), dir: dir, instances: n,
			postgres: &postgresDB{cluster: cluster, dsn: dsn}}, o)
		if err != nil {
			return nil, nil, err
		}
		if i == 0 {
			one = r
		} else {
			two = r
		}
	}
	return one, two, nil
}
