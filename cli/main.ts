console.log("hello from routesim", process.argv.slice(2).join(" "));
