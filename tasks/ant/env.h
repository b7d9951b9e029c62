/* ant: what the reward can read at every control step (20 Hz).
 * World frame: z up, metres, radians; the floor is the plane z = 0. Quaternions are
 * (w, x, y, z). A four-legged robot (torso sphere of radius 0.25 m; each leg a hip joint
 * about the vertical and an ankle joint) should run forward, along world +x.
 * The episode ends early when the torso drops below TERMINATION_HEIGHT. */
#define N_JOINTS 8
#define TERMINATION_HEIGHT 0.3   /* m: torso centre height below which the ant has fallen */

typedef struct env_state {
    double torso_pos[3];         /* torso centre, world frame, m (starts near x = 0, y = 0) */
    double torso_quat[4];        /* torso orientation, world frame */
    double torso_vel[3];         /* torso linear velocity, world frame, m/s (x = forward) */
    double torso_angvel[3];      /* torso angular velocity, world frame, rad/s */
    double up_proj;              /* z component of the torso's up axis: 1 upright, -1 upside down */
    double heading_proj;         /* x component of the torso's forward (x) axis: 1 facing +x */
    double joint_pos[N_JOINTS];  /* joint angles, rad (legs front-left, front-right, back-left,
                                    back-right; each hip then ankle) */
    double joint_vel[N_JOINTS];  /* joint velocities, rad/s */
    double action[N_JOINTS];     /* this step's motor commands, each in [-1, 1] (torque / 150 N m) */
    int step;                    /* control step within the episode, 0..199 */
} env_state;
